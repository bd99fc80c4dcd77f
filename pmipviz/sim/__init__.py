"""The deterministic simpy simulation: the world that runs the protocol core, its trace,
and what is derived from the trace (steps, metrics, state)."""
