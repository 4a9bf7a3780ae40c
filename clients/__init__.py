"""The integrators' kit: API snapshots, the breaking-change checker, and the generated clients' drift check."""
