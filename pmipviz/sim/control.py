"""Control: what a protocol machine asks for that is not DATA. PBUs and PBAs between
the MAGs and the LMA and the MAG's RA to an MN interface (carried by
``Network.transmit``), timers, and table changes (``state`` events)."""

from __future__ import annotations

from ipaddress import IPv6Address
from typing import Any

from pmipviz.protocol.actions import SendPba, SendPbu, SendRa, StateChange
from pmipviz.protocol.keys import BulKey
from pmipviz.protocol.messages import Pba, Pbu, RouterAdvertisement, address_text
from pmipviz.protocol.options import MnIdOption
from pmipviz.protocol.timers import Timer
from pmipviz.protocol.vocab import Kind, Msg, Table
from pmipviz.sim.addressing import link_local, mag_link_local, mag_lli
from pmipviz.sim.host import MnHost
from pmipviz.sim.network import Iface
from pmipviz.sim.why import SimWhy


class ControlPlane(MnHost):
    """Executes SendPbu, SendPba, SendRa, StartTimer (``_fire``) and StateChange."""

    def _send_pbu(self, mag: str, a: SendPbu) -> None:
        src, dst = self.mag_addr[mag], self.scenario.lma.address
        fields = a.pbu.to_fields()
        fields["ip_src"], fields["ip_dst"] = address_text(src), address_text(dst)
        if a.retransmission:
            fields["retransmission"] = True
        pbu = a.pbu
        self.transmit(mag, self.lma_name, self._link(mag, self.lma_name).delay_ms,
                      self._link(mag, self.lma_name), Msg.PBU, fields, a.why,
                      lambda: self._lma_pbu(pbu, src),
                      recv_note=(SimWhy.RECV_PBU, mag, pbu.is_dereg, pbu.seq, pbu.hi),
                      ref=a.ref)

    def _lma_pbu(self, pbu: Pbu, src: IPv6Address) -> None:
        self.run_actions(self.lma_name, self.lma.handle_pbu(pbu, src, self.now))

    def _send_pba(self, a: SendPba) -> None:
        mag = self.addr_mag.get(a.dst)
        if mag is None:
            return
        fields = a.pba.to_fields()
        fields["ip_src"] = address_text(self.scenario.lma.address)
        fields["ip_dst"] = address_text(a.dst)
        pba = a.pba
        self.transmit(self.lma_name, mag, self._link(mag, self.lma_name).delay_ms,
                      self._link(mag, self.lma_name), Msg.PBA, fields, a.why,
                      lambda: self.run_actions(mag, self.mags[mag].on_pba(pba, self.now)),
                      recv_note=(SimWhy.RECV_PBA, mag, pba.seq, pba.status), ref=a.ref)

    def _send_ra(self, mag: str, a: SendRa) -> None:
        iface = self.ifaces[a.interface]
        fields = a.ra.to_fields()
        # the link-local address the MAG uses on this link: the session's (RFC 5213 §6.8)
        fields["ip_src"] = address_text(a.ra.source or mag_link_local(self.mag_index[mag]))
        fields["ip_dst"] = address_text(link_local(iface.lli))
        fields["mag_lli"] = mag_lli(self.mag_index[mag]).hex(":")
        ra = a.ra
        self.transmit(mag, iface.key, self.access_delay[mag], None, Msg.RA, fields, a.why,
                      lambda: self._mn_ra(iface, mag, ra), recv_kind=None, ref=a.ref)

    def _fire(self, node: str, timer: Timer) -> None:
        """A machine's timer is due (``StartTimer``'s delay passed)."""
        if node == self.lma_name:
            self.run_actions(node, self.lma.on_timer(timer, self.now))
        else:
            self.run_actions(node, self.mags[node].on_timer(timer, self.now))

    def _state(self, node: str, a: StateChange) -> None:
        """A table the UI shows changed: one ``state`` event, with the MN and interface
        it concerns."""
        fields: dict[str, Any] = {"table": a.table, "key": a.key, "cause": a.cause,
                                  "before": a.before, "after": a.after}
        table = a.table
        if table == Table.BCE:
            row = a.after or a.before or {}
            mn_id = row.get("mn_id", "")
            fields["interface"] = self._iface_of(
                mn_id, bytes.fromhex(row.get("mn_lli", "").replace(":", "")))
            fields["mn_id"] = mn_id
            fields["case"] = a.case
            fields["shared_hnp"] = bool(a.shared_hnp)
            fields["carrier"] = a.carrier  # the entry carrying the MN's traffic now
        elif table == Table.BUL:
            key = BulKey.parse(a.key).iface
            fields["mn_id"], fields["interface"] = key.mn_id, key.name
        elif table == Table.LMA:
            fields["case"] = a.case
            if a.mn is not None:
                mn_id, lli = a.mn
                fields["mn_id"] = mn_id
                fields["interface"] = self._iface_of(mn_id, lli)
        elif table == Table.ROUTE:
            fields["mn_id"] = a.key
        fields["ref"] = a.ref
        self.emit(Kind.STATE, node, None, None, fields, a.why)

    def _iface_of(self, mn_id: str, lli: bytes | None) -> str | None:
        """The name of the MN's interface with link-layer identifier ``lli``."""
        iface = self.iface_by_lli(mn_id, lli)
        return iface.name if iface is not None else None


class MetricsOnlyControl(ControlPlane):
    """The control plane of a run whose only sink is the metrics (a sweep's,
    ``world.MetricsOnlyWorld``): the same messages, timers and table changes, the same
    events, but their fields are only the ones the metrics read (``Metrics._signalling``:
    a PBU's and a PBA's ``lifetime_s`` and ``mn_id``, a table change's ``table``,
    ``key``, ``cause`` and ``after``; an RS's, an RA's and an MN interface's rows: none),
    so no message is written out field by field, no address as text.
    ``tests/sim/test_metrics_only.py`` checks the metrics are the same."""

    def _send_pbu(self, mag: str, a: SendPbu) -> None:
        pbu = a.pbu
        src = self.mag_addr[mag]
        link = self._link(mag, self.lma_name)
        self.transmit(mag, self.lma_name, link.delay_ms, link, Msg.PBU,
                      {"lifetime_s": pbu.lifetime_s, "mn_id": _last_mn_id(pbu)}, a.why,
                      lambda: self._lma_pbu(pbu, src),
                      recv_note=(SimWhy.RECV_PBU, mag, pbu.is_dereg, pbu.seq, pbu.hi))

    def _send_pba(self, a: SendPba) -> None:
        mag = self.addr_mag.get(a.dst)
        if mag is None:
            return
        pba = a.pba
        link = self._link(mag, self.lma_name)
        self.transmit(self.lma_name, mag, link.delay_ms, link, Msg.PBA,
                      {"lifetime_s": pba.lifetime_s, "mn_id": _last_mn_id(pba)}, a.why,
                      lambda: self.run_actions(mag, self.mags[mag].on_pba(pba, self.now)),
                      recv_note=(SimWhy.RECV_PBA, mag, pba.seq, pba.status))

    def _send_ra(self, mag: str, a: SendRa) -> None:
        iface = self.ifaces[a.interface]
        ra = a.ra
        self.transmit(mag, iface.key, self.access_delay[mag], None, Msg.RA, {}, a.why,
                      lambda: self._mn_ra(iface, mag, ra), recv_kind=None)

    def _state(self, node: str, a: StateChange) -> None:
        self.emit(Kind.STATE, node, None, None,
                  {"table": a.table, "key": a.key, "cause": a.cause, "after": a.after}, a.why)

    def _iface_row(self, iface: Iface) -> dict[str, Any] | None:
        return None

    def _rs_fields(self, iface: Iface) -> dict[str, Any]:
        return {}

    def _ra_fields(self, ra: RouterAdvertisement) -> dict[str, Any]:
        return {}


def _last_mn_id(msg: Pbu | Pba) -> str | None:
    """The ``mn_id`` field ``to_fields`` writes: the last MN identifier option's."""
    ids = [o.identifier for o in msg.options if isinstance(o, MnIdOption)]
    return ids[-1] if ids else None
