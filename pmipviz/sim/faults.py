"""Faults: a scenario's break / restore / move of an MN interface, at its time."""

from __future__ import annotations

from typing import Any

from pmipviz.protocol.constants import HandoffIndicator
from pmipviz.protocol.vocab import Cause, FaultAction, Kind
from pmipviz.scenario.model import Fault
from pmipviz.sim.host import MnHost
from pmipviz.sim.network import Iface
from pmipviz.sim.why import SimWhy


class Faults(MnHost):
    """Applies a fault to an interface: its ``fault`` event, then the host and the MAG
    see the link go down, come back or change MAG."""

    def apply_fault(self, fault: Fault) -> None:
        """Break, restore or move an interface now."""
        iface = self.ifaces[fault.interface]
        fields: dict[str, Any] = {"action": fault.action, "interface": fault.interface,
                                  "to_mag": fault.to_mag, "mag": iface.mag, "noop": False}
        key = iface.key
        if fault.action == FaultAction.BREAK:
            if not iface.up and iface.mag is None and not iface.broken:
                self.emit(Kind.FAULT, iface.key, iface.home_mag, None, fields,
                          (SimWhy.BREAK_EARLY, key))
                self._set_iface(iface, (SimWhy.IFACE_BROKEN, key), "break", broken=True)
                return
            if not iface.up:
                fields["noop"] = True
                self.emit(Kind.FAULT, iface.key, iface.mag, None, fields,
                          (SimWhy.ALREADY_DOWN, key))
                return
            self.emit(Kind.FAULT, iface.key, iface.mag, None, fields,
                      (SimWhy.BREAKS, key, iface.mag))
            mag = iface.mag
            assert mag is not None
            self._cut(iface, FaultAction.BREAK)
            detection = self.mn_detection[iface.mn_id]
            self._set_iface(iface, (SimWhy.IFACE_DOWN, key, detection), "break", up=False)
            if detection > 0:  # the MN keeps sending out of it until it notices
                iface.unnoticed = True
                self.after(detection, self._mn_notices, iface, iface.gen)
            self.run_actions(mag, self.mags[mag].link_down(iface.key, self.now))
            if detection <= 0:  # the MN notices at once (issue 10 item 7: HI=2 handoff)
                self._mn_lost(iface)
        elif fault.action == FaultAction.RESTORE:
            if iface.broken and iface.mag is None:
                self._set_iface(iface, (SimWhy.IFACE_REPAIRED, key), "restore", broken=False)
                if self.now >= self._attach_ms[iface.key]:
                    self.emit(Kind.FAULT, iface.key, iface.home_mag, None, fields,
                              (SimWhy.REPAIRED_ATTACHES, key, iface.home_mag))
                    self._attach(iface, iface.home_mag, iface.attach_hi)
                else:
                    self.emit(Kind.FAULT, iface.key, iface.home_mag, None, fields,
                              (SimWhy.REPAIRED_EARLY, key))
                return
            if iface.up:
                fields["noop"] = True
                self.emit(Kind.FAULT, iface.key, iface.mag, None, fields,
                          (SimWhy.ALREADY_UP, key))
                return
            mag = iface.mag or iface.home_mag
            iface.unnoticed = False  # the MN sees it come back
            self.emit(Kind.FAULT, iface.key, mag, None, fields, (SimWhy.COMES_BACK, key, mag))
            self.run_actions(mag, self.mags[mag].link_up(iface.key, self.now))
            self._attach(iface, mag, HandoffIndicator.NEW_INTERFACE, again=True)
        else:
            to_mag = fault.to_mag or iface.home_mag
            old = iface.mag
            if old == to_mag and iface.up:
                fields["noop"] = True
                self.emit(Kind.FAULT, iface.key, old, None, fields,
                          (SimWhy.ALREADY_ON, key, to_mag))
                return
            self.emit(Kind.FAULT, iface.key, to_mag, None, fields,
                      (SimWhy.MOVES, key, old, to_mag))
            if old is not None and iface.up:
                self._cut(iface, FaultAction.MOVE)
                self._set_iface(iface, (SimWhy.IFACE_LEAVES, key, old), "detach", up=False)
                self.run_actions(old, self.mags[old].link_down(iface.key, self.now))
            iface.unnoticed = False  # the MN attaches it itself: it knows
            self._attach(iface, to_mag, HandoffIndicator.BETWEEN_MAGS)

    def _cut(self, iface: Iface, how: str) -> None:
        """A break or a move takes ``iface`` off its access link: every DATA packet on
        that link now is lost when it arrives (``dataplane._DataArrival``, issue 10
        item 4), which the new generation tells it."""
        iface.gen += 1
        iface.cut_ms = self.now
        iface.cut_by = how

    def _mn_notices(self, iface: Iface, gen: int) -> None:
        """The MN's ``detection_ms`` after a break: it notices the interface is down
        and sends its uplink out of another one that is up (unless the interface came
        back, or broke again, meanwhile)."""
        if iface.gen != gen or not iface.unnoticed:
            return
        iface.unnoticed = False
        self._set_iface(iface, (SimWhy.MN_NOTICES, iface.key,
                                self.mn_detection[iface.mn_id]), Cause.MN_DETECT)
        self._mn_lost(iface)
