"""pmipviz: teach and test Proxy Mobile IPv6 and the draft's fault-tolerant handover."""

__version__ = "0.1.0"
