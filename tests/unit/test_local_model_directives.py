"""The local model server's two deterministic behaviours: verbatim lines and tool-result replies."""

from __future__ import annotations

from simulators.realtime.session import fill_template, say_exactly


def test_say_exactly_takes_only_the_exact_directive() -> None:
    assert say_exactly('Say exactly: "One moment, please."') == "One moment, please."
    assert say_exactly("Be brief.") is None
    assert say_exactly('say exactly: "x"') is None
    assert say_exactly(None) is None and say_exactly(42) is None


def test_then_say_is_filled_from_the_tool_output_and_left_alone_otherwise() -> None:
    assert fill_template("Order {order_id} is {status}.", '{"order_id": "A-42", "status": "shipped"}') \
        == "Order A-42 is shipped."
    assert fill_template("Order {missing}.", '{"status": 1}') == "Order {missing}."
    assert fill_template("Order {status}.", "not json") == "Order {status}."
    assert fill_template("Order {status}.", '["a list"]') == "Order {status}."
    assert fill_template("Order {status}.", '{"status": {"nested": 1}}') == "Order {status}."
