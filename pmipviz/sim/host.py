"""The MN host: its interfaces attach to a MAG (the state change and the Router
Solicitation), receive the MAG's Router Advertisement and configure an address from it."""

from __future__ import annotations

from ipaddress import IPv6Network
from typing import Any

from pmipviz.protocol.keys import IfaceKey
from pmipviz.protocol.messages import RouterAdvertisement, RouterSolicitation, address_text
from pmipviz.protocol.vocab import Cause, FaultAction, Kind, Msg, Reason, Table
from pmipviz.protocol.why import Note
from pmipviz.sim.addressing import address_with, link_local, mag_link_local
from pmipviz.sim.network import Iface, Network
from pmipviz.sim.why import SimWhy


class MnHost(Network):
    """The MN side of the access link: attach, RS out, RA in, the interface's state."""

    def _iface_row(self, iface: Iface) -> dict[str, Any] | None:
        """The interface's row for a ``state`` event (a metrics-only run has none)."""
        return iface.row()

    def _set_iface(self, iface: Iface, note: Note, cause: str, **changes: Any) -> None:
        """Change the interface's run-time state and report it (an ``iface`` row)."""
        before = self._iface_row(iface)
        for k, v in changes.items():
            setattr(iface, k, v)
        self.emit(Kind.STATE, iface.key, None, None,
                  {"table": Table.IFACE, "key": iface.key, "cause": cause, "before": before,
                   "after": self._iface_row(iface), "mn_id": iface.mn_id,
                   "interface": iface.name}, note)

    def _attach_initial(self, iface: Iface) -> None:
        """The scenario's time for the interface to attach to its home MAG."""
        if iface.mag is not None:  # a move before attach_ms attached it already
            return
        if iface.broken:
            self.emit(Kind.FAULT, iface.key, iface.home_mag, None,
                      {"action": FaultAction.ATTACH, "interface": iface.key, "to_mag": None,
                       "mag": None, "noop": False},
                      (SimWhy.WAITS_FOR_RESTORE, iface.key, iface.home_mag))
            return
        self._attach(iface, iface.home_mag, iface.attach_hi)

    def _attach(self, iface: Iface, mag: str, hi: int, again: bool = False) -> None:
        """The interface comes up on ``mag`` and solicits a router."""
        self._set_iface(iface, (SimWhy.ATTACH, iface.key, mag, again), "attach", mag=mag,
                        up=True)
        self.transmit(iface.key, mag, self.access_delay[mag], None, Msg.RS, self._rs_fields(iface),
                      (SimWhy.RS, iface.key, mag), lambda: self._mag_rs(iface, mag, hi))

    def _rs_fields(self, iface: Iface) -> dict[str, Any]:
        """The fields of the interface's RS (a metrics-only run's: none)."""
        fields = RouterSolicitation(iface.mn_id, iface.name, iface.lli).to_fields()
        fields["ip_src"] = address_text(link_local(iface.lli))
        fields["ip_dst"] = "ff02::2"
        return fields

    def _ra_fields(self, ra: RouterAdvertisement) -> dict[str, Any]:
        """The fields of an RA the interface receives (a metrics-only run's: none)."""
        return ra.to_fields()

    def _mag_rs(self, iface: Iface, mag: str, hi: int) -> None:
        """The RS reached ``mag``: its machine sees the interface attach."""
        if not iface.up or iface.mag != mag:
            return
        self.run_actions(mag, self.mags[mag].attach(iface.key, iface.mn_id, iface.lli,
                                                    iface.att, self.now, hi, iid=iface.iid))

    def _mn_ra(self, iface: Iface, mag: str, ra: RouterAdvertisement) -> None:
        """The MAG's RA reached the interface: it configures its address (RFC 4862)."""
        if not iface.up or iface.mag != mag:
            self.emit(Kind.DROP, iface.key, mag, Msg.RA,
                      {**self._ra_fields(ra), "reason": Reason.LINK_DOWN},
                      (SimWhy.RA_LOST, mag, iface.key))
            return
        if ra.interface != iface.name:  # the RA of a session handed over to it (HI=2)
            self._adopt(iface, mag, ra)
            return
        before = self._iface_row(iface)
        iface.hnps = ra.hnps
        iface.address = address_with(ra.hnps[0], iface.iid) if ra.hnps else None
        iface.addr_int = int(iface.address) if iface.address is not None else -1
        self.emit(Kind.RECV, iface.key, mag, Msg.RA, self._ra_fields(ra),
                  self._router_note(iface, mag, ra))
        self.emit(Kind.STATE, iface.key, None, None,
                  {"table": Table.IFACE, "key": iface.key, "cause": Cause.ADDRESS,
                   "before": before, "after": self._iface_row(iface), "mn_id": iface.mn_id,
                   "interface": iface.name, "ref": "RFC 4862 §5.5.3"},
                  (SimWhy.ADDRESS, iface.key, iface.address))

    # -- issue 10 item 7: rfc5213_handoff = "hi2" --------------------------------------

    def _hi2(self) -> bool:
        """The run hands a lost interface's session over to a surviving one (HI=2): an
        rfc5213 run of a scenario with ``rfc5213_handoff = "hi2"`` (ft ignores it)."""
        return self.mode == "rfc5213" and self.scenario.rfc5213_handoff == "hi2"

    def _mn_lost(self, lost: Iface) -> None:
        """The MN has noticed that ``lost`` is down (its ``detection_ms`` after the
        break). With HI=2 handoffs, it re-attaches ``lost``'s prefixes on its first
        other interface that is up with an address: it tells that interface's MAG
        which prefixes to claim in a Router Solicitation (RFC 5213 leaves the MN-to-MAG
        hint out of scope: pmipviz's assumption), one access-link delay away."""
        if not self._hi2() or not lost.hnps:
            return
        survivor = next((i for i in self.mn_ifaces[lost.mn_id] if i is not lost and i.up
                         and i.mag is not None and i.address is not None), None)
        if survivor is None or survivor.mag is None:
            return
        mag, hnps = survivor.mag, lost.hnps
        fields = self._rs_fields(survivor)
        fields["claim"] = [address_text(p) for p in hnps]
        self.transmit(survivor.key, mag, self.access_delay[mag], None, Msg.RS, fields,
                      (SimWhy.CLAIM, survivor.key, mag, lost.key, hnps),
                      lambda: self._mag_claim(lost, survivor, mag, hnps),
                      ref="RFC 5213 §5.4.1")

    def _mag_claim(self, lost: Iface, survivor: Iface, mag: str,
                   hnps: tuple[IPv6Network, ...]) -> None:
        """The hint reached ``mag``: its machine registers the session on ``survivor``."""
        if not survivor.up or survivor.mag != mag:
            return
        self.run_actions(mag, self.mags[mag].claim(
            lost.key, survivor.key, lost.mn_id, survivor.lli, survivor.att, hnps, self.now,
            iid=lost.iid))

    def _adopt(self, iface: Iface, mag: str, ra: RouterAdvertisement) -> None:
        """The RA for a session handed over to ``iface`` (named for the lost interface):
        ``iface`` keeps the lost interface's address in those prefixes as its own, so
        the flows addressed to it carry on (its own address and router do not change)."""
        lost = self.ifaces[str(IfaceKey(iface.mn_id, ra.interface))]
        before = self._iface_row(iface)
        address = address_with(ra.hnps[0], lost.iid) if ra.hnps else None
        if address is not None:
            iface.adopted.add(int(address))
        self.emit(Kind.RECV, iface.key, mag, Msg.RA, self._ra_fields(ra),
                  (SimWhy.RA_ADOPT, iface.key, address, ra.hnps, lost.key))
        self.emit(Kind.STATE, iface.key, None, None,
                  {"table": Table.IFACE, "key": iface.key, "cause": Cause.ADDRESS,
                   "before": before, "after": self._iface_row(iface), "mn_id": iface.mn_id,
                   "interface": iface.name, "ref": "RFC 5213 §5.4.1"},
                  (SimWhy.ADDRESS, iface.key, address))

    def _router_note(self, iface: Iface, mag: str, ra: RouterAdvertisement) -> Note:
        """The interface takes the RA's source as its default router; the note says so
        when a handoff kept it (RFC 5213 §6.8: the session's link-local address, which
        every MAG serving it adopts from the PBA) or when it changed."""
        router = ra.source or mag_link_local(self.mag_index[mag])
        old, old_mag = iface.router, iface.router_mag
        iface.router, iface.router_mag = router, mag
        if old is not None and old != router:
            return (SimWhy.RA_NEW_ROUTER, iface.key, iface.address, ra.hnps, mag, router, old,
                    old_mag)
        if old is not None and old_mag != mag:
            return (SimWhy.RA_SAME_ROUTER, iface.key, iface.address, ra.hnps, mag, router,
                    old_mag)
        return (SimWhy.RA_RECV, iface.key, iface.address, ra.hnps)
