"""The PMIPv6 protocol core, sans I/O: the MAG and LMA logic, messages, options and
constants (RFC 5213, draft-jiang-netext-ft-pmip-00); imports neither simpy nor textual."""
