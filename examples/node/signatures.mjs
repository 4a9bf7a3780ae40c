// Standard Webhooks verification (https://www.standardwebhooks.com/) with node:crypto only, and a
// tiny HTTP server shell shared by the webhook receiver and the tool endpoint.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const TOLERANCE_S = 5 * 60;

/** Throws unless one of the header's v1 signatures is HMAC-SHA256("{id}.{timestamp}.{body}"). */
export function verify(secret, headers, body, nowS = Date.now() / 1000) {
  const id = headers["webhook-id"], ts = headers["webhook-timestamp"], sigs = headers["webhook-signature"];
  if (!id || !ts || !sigs) throw new Error("missing webhook-id, webhook-timestamp or webhook-signature");
  if (!/^\d+$/.test(ts) || Math.abs(nowS - Number(ts)) > TOLERANCE_S) throw new Error("timestamp outside the tolerance");
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest();
  for (const part of sigs.split(" ")) {
    const [version, value] = part.split(",", 2);
    if (version !== "v1" || !value) continue;
    const got = Buffer.from(value, "base64");
    if (got.length === expected.length && timingSafeEqual(got, expected)) return JSON.parse(body.toString("utf8"));
  }
  throw new Error("no signature matches");
}

/** Serve POSTs: handle(headers, body) -> [status, JSON answer or undefined]. */
export function serve(port, handle) {
  createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const [status, answer] = handle(req.headers, Buffer.concat(chunks));
      const data = answer === undefined ? "" : JSON.stringify(answer);
      res.writeHead(status, data ? { "content-type": "application/json" } : {});
      res.end(data);
    });
  }).listen(Number(port), "127.0.0.1", () => console.log(`listening on 127.0.0.1:${port}`));
}
