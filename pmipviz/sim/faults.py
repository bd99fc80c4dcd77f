"""Faults: a scenario's break / restore / move of an MN interface, at its time."""

from __future__ import annotations

from typing import Any

from pmipviz.protocol.constants import HandoffIndicator
from pmipviz.protocol.vocab import FaultAction, Kind
from pmipviz.scenario.model import Fault
from pmipviz.sim.host import MnHost
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
            self._set_iface(iface, (SimWhy.IFACE_DOWN, key), "break", up=False)
            self.run_actions(mag, self.mags[mag].link_down(iface.key, self.now))
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
                self._set_iface(iface, (SimWhy.IFACE_LEAVES, key, old), "detach", up=False)
                self.run_actions(old, self.mags[old].link_down(iface.key, self.now))
            self._attach(iface, to_mag, HandoffIndicator.BETWEEN_MAGS)
