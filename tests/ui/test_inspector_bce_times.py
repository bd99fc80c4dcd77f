"""The inspector shows a BCE's §5.1 timestamp (the LMA's time of reception) and the
accepted PBU's Timestamp (§5.5) as times, as it shows the Timestamp option."""

from __future__ import annotations

from rich.console import Console

from pmipviz.protocol.constants import SIM_EPOCH_S
from pmipviz.protocol.options import TimestampOption
from pmipviz.ui.screens.inspector import _state_table


def test_bce_timestamps_read_as_utc_times() -> None:
    recv = TimestampOption.from_seconds(SIM_EPOCH_S + 0.0065).value
    sent = TimestampOption.from_seconds(SIM_EPOCH_S + 0.0015).value
    table = _state_table({"table": "bce", "key": "mn1#1", "cause": "register", "before": None,
                          "after": {"timestamp": recv, "pbu_timestamp": sent, "seq": 1}})
    console = Console(width=200, record=True)
    console.print(table)
    text = console.export_text()
    assert "2012-06-29 00:00:00.006 UTC" in text and "2012-06-29 00:00:00.001 UTC" in text
    assert f"0x{recv:016x}" in text
