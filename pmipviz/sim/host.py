"""The MN host: its interfaces attach to a MAG (the state change and the Router
Solicitation), receive the MAG's Router Advertisement and configure an address from it."""

from __future__ import annotations

from typing import Any

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
