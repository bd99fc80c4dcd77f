"""The trace's notes: one sentence per cause, from the facts the protocol machines and
the world give (a :data:`~pmipviz.protocol.why.Note`). The only place that writes them.

``describe(note)`` is what the composition root (the CLI, the TUI, the exports) hands
to ``World`` / ``Simulation`` / ``headless.run``; a run that nobody reads the notes of
never calls it. The sentences are the ones the machines wrote before, word for word
(trace files keep their notes), references in parentheses included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from ipaddress import IPv6Address, IPv6Network
from typing import Any

from pmipviz.protocol.constants import HI_NAMES, status_name
from pmipviz.protocol.keys import short_iface, short_mn, short_node
from pmipviz.protocol.options import address_text
from pmipviz.protocol.why import Note, Why
from pmipviz.sim.why import SimWhy


def describe(note: Note) -> str:
    """The sentence of ``note``."""
    return _SENTENCES[note[0]](*note[1:])


def _hnps(hnps: Iterable[IPv6Network]) -> str:
    return ", ".join(address_text(p) for p in hnps)


def _status(status: int) -> str:
    return f"{status} {status_name(status)}"


_short = short_node  # a node's name, or an MN interface's short name (``mn1/IF1``)

# Issue 10 item 3: appended to the notes where the LMA decides which entry carries an
# MN's traffic (``Why.ROUTE``, ``Why.REROUTE``; ``Lma.elect_carrier``). The draft is
# silent; this is pmipviz's rule. (tools/trace_diff.py strips it, as an addition.)
CARRIER_RULE = ("; the MN's entry there now carries its traffic (RFC 5213 §5.6.2) until it "
                "goes S=0 (pmipviz's rule, the draft being silent: the oldest entry with S=1, "
                "\"available, or in use\" (draft §3.1), sticky)")


def _address(address: IPv6Address | None) -> str:
    return address_text(address) if address else "-"


# -- MAG: attachment and registration --------------------------------------------------

def _pbu_back(mag: str, key: str, hi: int) -> str:
    return (f"{mag} sends a PBU (HI={hi}, {HI_NAMES.get(hi)}) for {short_iface(key)}, back "
            "from another MAG (§6.9.1.1)")


def _pbu_attach(mag: str, key: str, hi: int) -> str:
    return (f"{mag} sends a PBU (HI={hi}, {HI_NAMES.get(hi, str(hi))}) for "
            f"{short_iface(key)} to the LMA (§6.9.1.1)")


def _late_pba(mag: str, key: str, hnps: tuple[IPv6Network, ...], ft: bool) -> str:
    fate = ("caches what comes for it, to send it back up with the rest" if ft
            else "drops what comes for it as undeliverable")
    return (f"{mag} gets the PBA to the registration of {short_iface(key)} after it began to "
            f"de-register it: the LMA routes {_hnps(hnps)} here until the DeReg PBU arrives, "
            f"so {mag} notes the prefix and {fate}")


def _ignore_pba(mag: str, seq: int, orphans: tuple[IPv6Network, ...]) -> str:
    text = f"{mag} ignores a PBA with sequence {seq}: no PBU is waiting for it"
    if orphans:
        text += (f"; the LMA routes {_hnps(orphans)} here for now, so it will send what comes "
                 "for it back up once")
    return text


def _bul_detect(mag: str, key: str, ft: bool, sibling: str | None = None) -> str:
    if ft and sibling is not None:
        return (f"{mag} detects that {short_iface(key)} is unreachable; the MN's packets go "
                f"to {short_iface(sibling)}, up on {mag} (nothing to cache)")
    caching = " and keeps caching its packets (draft step 2)" if ft else ""
    return f"{mag} detects that {short_iface(key)} is unreachable{caching}"


def _link_down(mag: str, key: str, ft: bool, detection_ms: float,
               sibling: str | None = None) -> str:
    if ft and sibling is not None:  # issue 10 item 2: deliver locally, no cache
        fate = (f"{mag} sends the MN's packets to {short_iface(sibling)}, another interface "
                f"of the MN up on {mag}, instead of caching them")
        return (f"{mag}'s link to {short_iface(key)} is down: {fate}; it will declare the "
                f"interface unreachable after {detection_ms:g} ms")
    fate = f"{mag} caches them (draft step 2)" if ft else "they are lost (RFC 5213 has no cache)"
    return (f"{mag}'s link to {short_iface(key)} is down: the packets it sends there fail at "
            f"the link layer and {fate}; it will declare the interface unreachable after "
            f"{detection_ms:g} ms")


# -- MAG: data --------------------------------------------------------------------------

def _drop_loop(mag: str, n: int) -> str:
    return (f"{mag} no longer serves this MN, and {mag} already sent n={n} back up once (the "
            "LMA still routes it here): dropped rather than looping")


def _send_back_up(mag: str, n: int) -> str:
    return (f"{mag} no longer serves this MN: it sends n={n} back up the tunnel for the LMA "
            "to route it on (draft step 6)")


# -- LMA ----------------------------------------------------------------------------------

def _forward_sibling(mag: str, n: int, key: str, owner: str | None, dst: str) -> str:
    where = (f"its owner {short_iface(owner)} is down" if owner is not None
             else f"no interface of the MN attached to {mag} owns it")
    return (f"{mag} forwards n={n} to {short_iface(key)}: its destination {dst} is not "
            f"{short_iface(key)}'s address, and {where}, so {mag} falls back to another "
            f"interface of the MN in its prefix (RFC 5213 §6.10.5)")


def _create(mn_id: str, mag: str, ft: bool, case: str) -> str:
    extension = " with the MN's shared HNP (draft §3.2)" if ft else ""
    return (f"LMA creates a Binding Cache entry for {mn_id} via {mag}{extension} (new mobility "
            f"session, §5.4.1 case {case})")


def _dereg_hold(mn_id: str, mag: str, hold_ms: float) -> str:
    return (f"LMA accepts the de-registration of {mn_id} via {mag}: it holds the entry for "
            f"MinDelayBeforeBCEDelete ({hold_ms:.0f} ms) and drops the MN's traffic meanwhile "
            "(§5.3.5)")


def _dereg_single(mn_id: str, mag: str, hold_ms: float) -> str:
    return (f"LMA accepts the de-registration of {mn_id} via {mag}: M=0 (its entries all come "
            f"from one MAG), so the draft's keep-and-re-route (§3.1) does not apply; as in "
            f"RFC 5213 §5.3.5 it sets S=0, holds the entry for MinDelayBeforeBCEDelete "
            f"({hold_ms:.0f} ms) and then deletes it; meanwhile the MN's traffic goes to "
            "another entry with S=1, or is dropped if it has none")


def _reject_clock(skew_ms: float, window_ms: float) -> str:
    return (f"its timestamp is {skew_ms:.0f} ms off the LMA's clock, outside the "
            f"{window_ms:.0f} ms TimestampValidityWindow (§5.5)")


_SENTENCES: dict[str, Callable[..., str]] = {
    # MAG: attachment and registration
    Why.RA_AGAIN: lambda mag, key: (f"{mag} answers the RS of {short_iface(key)} with an RA "
                                    "(already registered)"),
    Why.BUL_BACK: lambda mag, key: f"{mag} sees {short_iface(key)} come back and registers it "
                                   "again",
    Why.PBU_BACK: _pbu_back,
    Why.BUL_ADD: lambda mag, key: (f"{mag} adds {short_iface(key)} to its Binding Update List "
                                   "(§6.1)"),
    Why.PBU_ATTACH: _pbu_attach,
    Why.LINK_DOWN_CARRIED: lambda mag, key, link, detection_ms: (
        f"{mag}'s link to {short_iface(link)} is down, and with it {short_iface(key)}'s "
        f"session, which {short_iface(link)} carries since the HI=2 handoff: its packets are "
        f"lost (RFC 5213 has no cache); {mag} will declare it unreachable after "
        f"{detection_ms:g} ms"),
    Why.BUL_CLAIM: lambda mag, key, link, hnps: (
        f"{mag} adds a Binding Update List entry for {short_iface(key)}'s session "
        f"({_hnps(hnps)}), now carried on {short_iface(link)}'s link: the MN re-attached "
        f"that prefix on {short_iface(link)} (RFC 5213 leaves how the MN tells its MAG out "
        "of scope; pmipviz's assumption)"),
    Why.PBU_CLAIM: lambda mag, key, link, hnps: (
        f"{mag} sends a PBU with HI=2 (handoff between two interfaces of the MN), "
        f"{_hnps(hnps)} and {short_iface(link)}'s MN LL-ID: the LMA should move "
        f"{short_iface(key)}'s session to {short_iface(link)} (§5.4.1)"),
    Why.BUL_RETRY: lambda mag, key: (f"{mag} may not use that prefix for {short_iface(key)} "
                                     "(155): it asks for a new one (§6.9.1.2)"),
    Why.PBU_ALL_ZERO: lambda mag, key: (f"{mag} sends a PBU with an ALL_ZERO HNP for "
                                        f"{short_iface(key)} (§6.9.1.2)"),
    Why.BUL_REJECTED: lambda mag, key, status: (
        f"{mag} learns the LMA rejected {short_iface(key)} ({_status(status)}): it will not "
        "advertise a prefix or forward its packets (§6.9.1.2)"),
    Why.BUL_REGISTERED: lambda mag, key, hnps: (
        f"{mag} marks {short_iface(key)} registered with HNP {_hnps(hnps)} and sets up the "
        "tunnel route (§6.9.1.2)"),
    Why.RA_REGISTERED: lambda mag, key, hnps: (
        f"{mag} advertises {_hnps(hnps)} to {short_iface(key)} in a Router Advertisement "
        "(§6.9.1.2)"),
    Why.LATE_PBA: _late_pba,
    Why.IGNORE_PBA: _ignore_pba,
    Why.BUL_REREG: lambda mag, key: (f"{mag} re-registers {short_iface(key)} before its "
                                     "lifetime ends (§6.9.1.3)"),
    Why.PBU_REREG: lambda mag, key: (f"{mag} sends a re-registration PBU (HI=5) for "
                                     f"{short_iface(key)} (§6.9.1.3)"),
    Why.BUL_GIVEUP: lambda mag, key, attempts: (
        f"{mag} gives up registering {short_iface(key)}: no PBA after {attempts} tries "
        "(RFC 6275 §11.8)"),
    Why.PBU_RETX: lambda mag, key, waited_ms: (
        f"{mag} retransmits the PBU for {short_iface(key)}: no PBA within {waited_ms:.0f} ms "
        "(RFC 6275 §11.8, back-off)"),
    Why.BUL_DETECT: _bul_detect,
    Why.PBU_DEREG: lambda mag, key: (f"{mag} sends the DeReg PBU (lifetime 0, HI=4) for "
                                     f"{short_iface(key)} to the LMA (§6.9.1.4)"),
    Why.BUL_REMOVE: lambda mag, key, reason: (
        f"{mag} removes {short_iface(key)} from its Binding Update List: {describe(reason)} "
        "(§6.9.1.4)"),
    Why.REMOVE_REFUSED: lambda status: (f"the LMA refused the de-registration "
                                        f"({_status(status)}), and the interface is gone all "
                                        "the same"),
    Why.REMOVE_CONFIRMED: lambda: "the PBA confirms the de-registration",
    Why.REMOVE_TIMEOUT: lambda timeout_ms: (f"no PBA came within INITIAL_BINDACK_TIMEOUT "
                                            f"({timeout_ms:.0f} ms)"),
    Why.REMOVE_GONE: lambda: "the interface is gone",
    Why.LINK_DOWN: _link_down,
    Why.LINK_UP: lambda mag, key: (f"{mag}'s link to {short_iface(key)} is back before the "
                                   "failure was detected"),
    # MAG: data
    Why.UNCACHE_UP: lambda mag, n, occupancy, cap: (
        f"{mag} takes n={n} out of its cache ({occupancy}/{cap} left) (draft step 6)"),
    Why.FORWARD_CACHED_UP: lambda mag, n: (f"{mag} sends cached packet n={n} up its tunnel to "
                                           "the LMA (draft step 6)"),
    Why.UNCACHE_DOWN: lambda mag, n, key, occupancy, cap: (
        f"{mag} takes n={n} out of its cache to deliver it to {short_iface(key)} "
        f"({occupancy}/{cap} left)"),
    Why.FORWARD_CACHED_DOWN: lambda mag, n, key: (f"{mag} forwards cached n={n} to "
                                                  f"{short_iface(key)}"),
    Why.FORWARD: lambda mag, n, key: f"{mag} forwards n={n} to {short_iface(key)}",
    Why.FORWARD_OWNER: lambda mag, n, key: (
        f"{mag} forwards n={n} to {short_iface(key)}, the interface that owns its "
        f"destination address (the owner goes first when several of the MN's interfaces "
        f"share the prefix on {mag}: RFC 4861 §7.2)"),
    Why.FORWARD_SIBLING: _forward_sibling,
    Why.DROP_LINK_DOWN: lambda mag, n, key: (f"{mag} cannot deliver n={n}: {short_iface(key)} "
                                             "is down (RFC 5213 has no cache)"),
    Why.DROP_NO_BINDING: lambda mag, dst, n: f"{mag} has no binding for {dst}; n={n} is dropped",
    Why.DROP_LOOP: _drop_loop,
    Why.SEND_BACK_UP: _send_back_up,
    Why.CACHE_FULL: lambda mag, cap, n: f"{mag}'s cache is full ({cap}/{cap}); n={n} is dropped",
    Why.CACHE: lambda mag, key, n, occupancy, cap: (
        f"{mag} cannot reach {short_iface(key)} and caches n={n} ({occupancy}/{cap}) "
        "(draft step 2)"),
    Why.UPLINK_NO_BINDING: lambda mag, key, n: (f"{mag} has no binding for {short_iface(key)}; "
                                                f"n={n} is dropped"),
    Why.REVERSE_TUNNEL: lambda mag, n: f"{mag} reverse-tunnels n={n} to the LMA",
    # LMA
    Why.PBA_ACCEPT: lambda why, mag, mn_id, hnps: (
        f"LMA sends a PBA (status 0, accepted: {describe(why)}) to {mag} for {mn_id}, HNP "
        f"{_hnps(hnps)}"),
    Why.PBA_REJECT: lambda mag, status, why: (f"LMA rejects {mag}'s PBU with status "
                                              f"{status} ({status_name(status)}): "
                                              f"{describe(why)}"),
    Why.IGNORE_LOOKUP: lambda mag, mn_id, case: (
        f"LMA silently ignores {mag}'s DeReg PBU for {mn_id}: no matching session ({case}, "
        "§5.4.1)"),
    Why.IGNORE_DEREG: lambda mag, mn_id, entry_mag: (
        f"LMA ignores {mag}'s DeReg PBU for {mn_id}: the entry's Proxy-CoA is {entry_mag}, "
        f"not {mag} (§5.3.5)"),
    Why.WAIT: lambda mag, mn_id: (f"LMA holds {mag}'s PBU (HI=4) for {mn_id} until the old MAG "
                                  "de-registers or MaxDelayBeforeNewBCEAssign passes "
                                  "(§5.4.1.2)"),
    Why.MULTIHOMING: lambda mn_id, mag: (f"LMA sets M=1 on {mn_id}'s entry via {mag}: PBUs with "
                                         "the same MN-ID now come from different MAGs "
                                         "(draft §3.1)"),
    Why.SINGLE_HOMED: lambda mn_id, mag: (f"LMA sets M=0 on {mn_id}'s entry via {mag}: its "
                                          "entries no longer come from different MAGs "
                                          "(draft §3.1)"),
    Why.CREATE: _create,
    Why.UPDATE: lambda mn_id, mag, why, case: (f"LMA updates {mn_id}'s entry via {mag}: "
                                               f"{describe(why)} (§5.4.1 case {case})"),
    Why.UPDATE_REVIVE: lambda: ("a valid PBU during the MinDelayBeforeBCEDelete wait revives "
                                "it (§5.3.5)"),
    Why.UPDATE_RESTORE: lambda: "the interface is back: S=1 again (draft §3.1)",
    Why.UPDATE_HANDOFF: lambda old_mag: f"handoff from {old_mag} (§5.3.4)",
    Why.UPDATE_REREG: lambda: "re-registration extends the lifetime (§5.3.3)",
    Why.ACCEPT_NEW: lambda: "new mobility session",
    Why.ACCEPT_DEREG_KEPT: lambda: "de-registration: S=0, entry kept",
    Why.ACCEPT_DEREG: lambda: "de-registration accepted",
    Why.DEREG_KEPT: lambda mn_id, mag: (f"LMA updates the BCE entry for {mn_id}: S=0 on the "
                                        f"{mag} entry, which is kept (draft §3.2 step 4)"),
    Why.DEREG_HOLD: _dereg_hold,
    Why.DEREG_SINGLE: _dereg_single,
    Why.DELETE_EXPIRE: lambda key, lifetime_s: (f"LMA deletes {key}: its lifetime "
                                                f"({lifetime_s} s) expired without "
                                                "re-registration"),
    Why.DELETE_HOLD: lambda key: f"LMA deletes {key} after MinDelayBeforeBCEDelete (§5.3.5)",
    Why.DELETE_HOLD_EXPIRE: lambda key, lifetime_s: (
        f"LMA deletes {key}, held since its de-registration: its lifetime ({lifetime_s} s) "
        "ended before MinDelayBeforeBCEDelete did, and no entry outlives its lifetime"),
    Why.ROUTE_NONE: lambda mn_id: (f"LMA has no entry with S=1 left for {mn_id}: its traffic "
                                   "has nowhere to go"),
    Why.ROUTE: lambda mn_id, tunnel, mag: (
        f"LMA routes {mn_id}'s prefix through {tunnel} to {mag}" + CARRIER_RULE),
    Why.REROUTE: lambda mn_id, old_mag, mag: (
        f"LMA re-routes {mn_id}'s traffic at once from {old_mag} to {mag}, whose entry has "
        "S=1 (draft §3.2)" if old_mag != mag else
        f"LMA re-routes {mn_id}'s traffic at once to its other entry via {mag}, which has S=1 "
        "(both interfaces are on that MAG)") + CARRIER_RULE,
    Why.TUNNEL_UP: lambda tunnel, mag: (f"LMA sets up {tunnel}, the bi-directional tunnel to "
                                        f"{mag} (§5.6.1)"),
    Why.TUNNEL_DOWN: lambda tunnel: f"LMA tears down {tunnel}: no MN uses it any more (§5.6.1)",
    # LMA: why a PBU is rejected
    Why.REJECT_NO_MN_ID: lambda: "the PBU has no MN-ID option (§5.3.1)",
    Why.REJECT_TWICE: lambda option: f"the {option} option appears twice (§8.1)",
    Why.REJECT_NOT_PROXY: lambda: ("the P flag is not set: not a proxy registration but a "
                                   "Mobile IPv6 home registration, which this LMA does not "
                                   "serve (RFC 5213 §8.1, RFC 6275 §10.3.1)"),
    Why.REJECT_NOT_MAG: lambda src: (f"{src} is not a MAG authorized for proxy registration "
                                     "(§5.3.1)"),
    Why.REJECT_UNKNOWN_MN: lambda mn_id: f"{mn_id} is not in this LMA's policy store (§5.3.1)",
    Why.REJECT_NO_SERVICE: lambda mn_id: (f"{mn_id}'s policy profile does not enable "
                                          "network-based mobility (PMIPv6) service for it "
                                          "(§5.3.1)"),
    Why.REJECT_NO_TIMESTAMP: lambda: "no Timestamp option while timestamps are in use (§5.5)",
    Why.REJECT_CLOCK: _reject_clock,
    Why.REJECT_NO_HNP: lambda: "the PBU has no HNP option (§5.3.1)",
    Why.REJECT_NO_HI: lambda: "the PBU has no HI option (§5.3.1)",
    Why.REJECT_NO_ATT: lambda: "the PBU has no Access Technology Type option (§5.3.1)",
    Why.REJECT_LOOKUP: lambda case: f"the §5.4.1 lookup ({case}) rejects it",
    Why.REJECT_OLDER: lambda: "its timestamp is older than the one last accepted (§5.5)",
    Why.REJECT_SAME: lambda: ("its timestamp equals the one last accepted, so it is not "
                              "newer (§5.5)"),
    Why.REJECT_POOL: lambda: "the prefix pool is exhausted",
    Why.REJECT_PREFIX: lambda prefixes, mn_id: (f"it asks for {_hnps(prefixes)}, which this "
                                                f"LMA cannot give to {mn_id} (§5.3.2)"),
}


# -- the world: links, the MN host, faults, flows, the LMA's data plane -----------------------

_LMA_DROP_WHY = {
    "no_binding": "it has no binding with S=1 for that prefix",
    "dereg_hold": "the entry is de-registered and RFC 5213 §5.3.5 drops the MN's traffic "
                  "during MinDelayBeforeBCEDelete",
}


def _ttl(node: str, n: int, hops: int) -> str:
    return (f"{_short(node)} drops n={n}: it has crossed {hops} hops (its hop limit ran out, a "
            "routing loop)")


def _cn_first(cn: str, n: int, mn_id: str, key: str, address: str, carrier_key: str | None,
              carrier_mag: str | None, named: bool, ft: bool) -> str:
    """A downlink flow's first packet: where it is addressed, and by which rule."""
    itf = short_iface(key)
    head = f"{cn} sends n={n} to {itf} at {address}, the address the flow takes now and keeps"
    if named:
        why = " (the flow names that interface)"
        if not ft:
            route = f"; the LMA routes it by the prefix of {itf}'s own entry (RFC 5213 §5.6.2)"
        elif carrier_key is None:
            route = "; the LMA has no entry with S=1 for the MN's prefix yet"
        elif short_iface(carrier_key) == itf:
            route = f"; the LMA carries the MN's traffic via {itf}'s entry, on {carrier_mag}"
        else:
            route = (f"; the LMA routes by prefix, and the MN's one HNP goes via the entry "
                     f"carrying its traffic, {short_iface(carrier_key)}'s on {carrier_mag}, "
                     f"not via {itf}'s (draft §3.1, RFC 5213 §5.6.2)")
        return head + why + route
    rule = ("its oldest entry with S=1 (\"available, or in use\", draft §3.1), kept until "
            "it goes S=0" if ft else
            "its oldest registered entry not de-registered (RFC 5213 has no S flag and "
            "routes each interface's HNP through that interface's own entry, §5.6.2)")
    return (f"{head}: the interface whose entry carries {short_mn(mn_id)}'s traffic now, on "
            f"{carrier_mag} (pmipviz's rule, the draft being silent: {rule})")


def _deliver(node: str, n: int, flow: int, cached: bool) -> str:
    via = " (it went through a MAG cache)" if cached else ""
    return f"{_short(node)} receives n={n} of flow {flow}{via}"


def _owner_of(owner: str | None, dst: str) -> str:
    return (f"{dst}, {short_iface(owner)}'s address" if owner is not None
            else f"{dst}, an address none of the MN's interfaces has now")


def _deliver_foreign(key: str, n: int, flow: int, cached: bool, owner: str | None,
                     dst: str) -> str:
    return (f"{_deliver(key, n, flow, cached)}. It is for {_owner_of(owner, dst)}, not "
            f"{short_iface(key)}'s: the MN is a weak host (RFC 1122 §3.3.4.2 weak end system "
            f"model, Linux's default), so any interface accepts a packet for any of its "
            f"addresses, and the packets that follow are accepted the same way")


def _wrong_interface(key: str, n: int, owner: str | None, dst: str, first: bool) -> str:
    then = (": this and every packet that follows for that address on this interface is "
            "lost (wrong_interface)" if first else "")
    return (f"{short_iface(key)} drops n={n}: it is for {_owner_of(owner, dst)}, and the MN "
            f"is a strong host (RFC 1122 §3.3.4.2 strong end system model): an interface "
            f"accepts only its own addresses{then}")


def _mn_source(key: str, n: int, cn: str, old: str, old_src: str, src: str,
               shared: bool) -> str:
    head = f"{short_iface(key)} sends n={n} to {cn}, taking over from {short_iface(old)}"
    if src == old_src:
        return (f"{head}; its source address stays {src}: the MN has one address on every "
                "interface (a logical interface, RFC 7847)")
    if shared:
        return (f"{head}; its source address changes from {old_src} to {src}: the MN's one "
                f"interface identifier, but in {short_iface(key)}'s own prefix (RFC 5213 "
                "gives each interface its own HNP): the CN sees a new source address")
    return (f"{head}; its source address changes from {old_src} to {src}, "
            f"{short_iface(key)}'s own (each interface has its own address): the CN sees "
            "a new source address")


_SENTENCES.update({
    SimWhy.DELIVER_FOREIGN: _deliver_foreign,
    SimWhy.WRONG_INTERFACE: _wrong_interface,
    SimWhy.MN_SOURCE: _mn_source,
    SimWhy.LINK_LOSS: lambda msg, src, dst, loss: (
        f"the {msg} from {_short(src)} to {_short(dst)} is lost on the link (loss {loss:g})"),
    SimWhy.RECV: lambda dst, msg, src: f"{_short(dst)} receives the {msg} from {_short(src)}",
    SimWhy.RECV_PBU: lambda mag, dereg, seq, hi: (
        f"LMA receives {mag}'s {'DeReg PBU' if dereg else 'PBU'} (seq {seq}, HI={hi})"),
    SimWhy.RECV_PBA: lambda mag, seq, status: (f"{mag} receives the PBA (seq {seq}, status "
                                               f"{_status(status)})"),
    SimWhy.RECV_DATA: lambda dst, n, src: f"{_short(dst)} receives n={n} from {_short(src)}",
    SimWhy.RS: lambda key, mag: f"{short_iface(key)} sends a Router Solicitation to {mag}",
    SimWhy.RA_LOST: lambda mag, key: (f"the RA from {mag} never reaches {short_iface(key)}: the "
                                      "link is down"),
    SimWhy.CLAIM: lambda key, mag, lost, hnps: (
        f"the MN re-attaches {short_iface(lost)}'s prefix {_hnps(hnps)} on "
        f"{short_iface(key)}: it tells {mag} in a Router Solicitation that carries the "
        "prefix to claim (RFC 5213 leaves this MN-to-MAG hint out of scope; pmipviz's "
        "assumption, rfc5213_handoff = \"hi2\")"),
    SimWhy.RA_ADOPT: lambda key, address, hnps, lost: (
        f"{short_iface(key)} receives the RA for {_hnps(hnps)} and keeps "
        f"{short_iface(lost)}'s address {_address(address)} on itself, beside its own: "
        "packets for it are its own now (RFC 5213 §5.4.1 handoff between interfaces)"),
    SimWhy.RA_RECV: lambda key, address, hnps: (
        f"{short_iface(key)} receives the RA and configures {_address(address)} from "
        f"{_hnps(hnps)}"),
    SimWhy.ADDRESS: lambda key, address: (f"{short_iface(key)} now has the address "
                                          f"{_address(address)}"),
    SimWhy.RA_SAME_ROUTER: lambda key, address, hnps, mag, router, old_mag: (
        f"{short_iface(key)} receives {mag}'s RA from {router}, the link-local address "
        f"{old_mag} used: its default router stays the same across the handoff (the "
        "LMA's link-local address for the session, which every MAG serving it adopts "
        f"from the PBA, RFC 5213 §6.8, §6.9.1.2); it configures {_address(address)} "
        f"from {_hnps(hnps)}"),
    SimWhy.RA_NEW_ROUTER: lambda key, address, hnps, mag, router, old, old_mag: (
        f"{short_iface(key)} receives {mag}'s RA from {router}: a new default router (it "
        f"had {old} via {old_mag}; a new mobility session has a new link-local address, "
        f"RFC 5213 §6.8); it configures {_address(address)} from {_hnps(hnps)}"),
    SimWhy.ATTACH: lambda key, mag, again: (f"{short_iface(key)} "
                                            f"{'re-attaches to' if again else 'attaches to'} "
                                            f"{mag}"),
    SimWhy.IFACE_BROKEN: lambda key: f"{short_iface(key)} is broken",
    SimWhy.IFACE_REPAIRED: lambda key: f"{short_iface(key)} is repaired",
    SimWhy.IFACE_DOWN: lambda key, detection_ms=0.0: _iface_down(key, detection_ms),
    SimWhy.IFACE_LEAVES: lambda key, mag: f"{short_iface(key)} leaves {mag}",
    SimWhy.WAITS_FOR_RESTORE: lambda key, mag: (f"{short_iface(key)} would attach to {mag} now, "
                                                "but it is broken: it waits for a restore"),
    SimWhy.BREAK_EARLY: lambda key: (f"{short_iface(key)} breaks before it has attached: it will "
                                     "not attach until it is restored"),
    SimWhy.ALREADY_DOWN: lambda key: (f"{short_iface(key)} is already down: breaking it changes "
                                      "nothing"),
    SimWhy.BREAKS: lambda key, mag: f"{short_iface(key)} breaks: {mag} can no longer reach it",
    SimWhy.REPAIRED_ATTACHES: lambda key, mag: (f"{short_iface(key)} is repaired and attaches "
                                                f"to {mag}"),
    SimWhy.REPAIRED_EARLY: lambda key: (f"{short_iface(key)} is repaired before its time to "
                                        "attach"),
    SimWhy.ALREADY_UP: lambda key: (f"{short_iface(key)} is already up: restoring it changes "
                                    "nothing"),
    SimWhy.COMES_BACK: lambda key, mag: f"{short_iface(key)} comes back on {mag}",
    SimWhy.ALREADY_ON: lambda key, mag: (f"{short_iface(key)} is already on {mag}: moving it "
                                         "changes nothing"),
    SimWhy.MOVES: lambda key, old_mag, mag: (f"{short_iface(key)} moves from {old_mag} to {mag} "
                                             "(handoff between MAGs)"),
    SimWhy.NO_ADDRESS: lambda cn, mn_id: f"{cn} has no address for {mn_id} yet",
    SimWhy.CN_SENDS: lambda cn, n, mn_id: f"{cn} sends n={n} to {mn_id}",
    SimWhy.CN_FIRST: _cn_first,
    SimWhy.NO_ADDRESS_IFACE: lambda cn, key: (
        f"{cn} has no address for {short_iface(key)} yet, the interface the flow names: "
        "the packet is dropped, and the next one tries again"),
    SimWhy.NO_IFACE: lambda mn_id, n: f"{mn_id} has no working interface to send n={n}",
    SimWhy.MN_SENDS: lambda key, n, cn: f"{short_iface(key)} sends n={n} to {cn}",
    SimWhy.TTL: _ttl,
    SimWhy.LMA_TO_CN: lambda n, cn: f"LMA forwards n={n} to {cn}",
    Why.DATA_DROP: lambda n, dst, reason: (f"LMA drops n={n} for {dst}: "
                                           f"{_LMA_DROP_WHY.get(reason, reason)}"),
    Why.DATA_NO_TUNNEL: lambda n, mag, tunnel: (
        f"LMA drops n={n}: it came up {tunnel} from {mag}, which the LMA has torn down "
        "(no entry uses it any more), so it is not forwarded (§5.6.1)"),
    Why.DATA_TUNNEL: lambda cached, n, mag, tunnel: (
        f"LMA sends{' cached' if cached else ''} n={n} to {mag} through {tunnel}"),
    SimWhy.DELIVER: _deliver,
})


# -- links that break with packets on them (issue 10 item 4) ----------------------------

def _iface_down(key: str, detection_ms: float) -> str:
    if not detection_ms:
        return f"{short_iface(key)} is down; the MN notices at once (detection_ms = 0)"
    return (f"{short_iface(key)} is down; the MN notices only after detection_ms = "
            f"{detection_ms:g} ms: until then what it sends out of {short_iface(key)} is lost")


def _on_cut_link(n: int, src: str, dst: str, key: str, how: str, cut_ms: float) -> str:
    what = "broke" if how == "break" else "moved to another MAG"
    return (f"n={n} was on the access link from {_short(src)} to {_short(dst)} when "
            f"{short_iface(key)} {what} at {cut_ms:g} ms: it is lost with the link (a link "
            "that breaks loses the packets on it, draft §1; the MAG can cache only what it "
            "still holds, §3.2 step 2)")


def _uplink_unnoticed(key: str, n: int, cut_ms: float, detection_ms: float) -> str:
    return (f"{short_iface(key)} sends n={n}, but it is down since {cut_ms:g} ms and the MN "
            f"has not noticed yet (it notices after detection_ms = {detection_ms:g} ms): "
            "the packet is lost")


_SENTENCES.update({
    SimWhy.ON_CUT_LINK: _on_cut_link,
    SimWhy.UPLINK_UNNOTICED: _uplink_unnoticed,
    SimWhy.MN_NOTICES: lambda key, detection_ms: (
        f"the MN notices that {short_iface(key)} is down, {detection_ms:g} ms after it broke "
        "(its detection_ms): from now on it sends out of another interface that is up, if "
        "it has one"),
})


def causes() -> frozenset[Any]:
    """Every cause this module has a sentence for."""
    return frozenset(_SENTENCES)
