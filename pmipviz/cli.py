"""The ``pmipviz`` command: the TUI, headless runs, ladder exports, figures, the list
of scenarios and the TUI served to browsers.

Exit codes: 0 ok, 2 bad input (one line on stderr), 1 bug."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import BinaryIO, NoReturn, TypeVar

from pmipviz.outputs import (
    OutputError,
    OutputSet,
    in_place,
    refuse_overlaps,
    sigterm_as_exit,
)
from pmipviz.scenario import ScenarioError, load_scenario, shipped_scenarios
from pmipviz.scenario.limits import MAX_DURATION_MS
from pmipviz.scenario.loader import check_until
from pmipviz.scenario.model import MODES, Scenario
from pmipviz.sim.trace import JsonlSink, TraceEvent

_Stream = TypeVar("_Stream")

SUBCOMMANDS = ("run", "scenarios", "tui", "export", "plot", "serve", "sweep")
THEMES = ("dark", "light")  # the TUI's (pmipviz.ui.palette.THEMES, not imported: textual)


class BadInput(Exception):
    """A command-line problem reported as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{self.prog}: {message}")


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of milliseconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _until_ms(text: str) -> float:
    """``--until``: milliseconds in 0..MAX_DURATION_MS (the bound of ``duration_ms``)."""
    value = _non_negative_float(text)
    if value > MAX_DURATION_MS:
        raise argparse.ArgumentTypeError(
            f"expected at most {MAX_DURATION_MS:.0f} ms (a day, as duration_ms), got {text!r}")
    return value


def _load(name: str, until_ms: float | None) -> Scenario:
    """The scenario, refused when ``--until`` would make its run unbounded."""
    scenario = load_scenario(name)
    if until_ms is not None:
        check_until(scenario, until_ms)
    return scenario


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a seed >= 0, got {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port in 1..65535, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="pmipviz", description="Proxy Mobile IPv6 (RFC 5213) and the "
                     "fault-tolerant handover of draft-jiang-netext-ft-pmip-00, step by step.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    tui = sub.add_parser("tui", help="the terminal UI (the default command)")
    tui.add_argument("scenario", nargs="?", default="figure1")
    tui.add_argument("--mode", choices=MODES)
    tui.add_argument("--lesson", action="store_true",
                     help="lesson mode: stop before each step that matters and ask a question")
    tui.add_argument("--report", metavar="FILE.json",
                     help="with --lesson: write the score and every answer here on quitting")
    tui.add_argument("--theme", choices=THEMES, default="dark",
                     help="colours: dark (default) or light, for projectors in bright rooms "
                          "(T switches in the TUI)")
    run = sub.add_parser("run", help="run a scenario headless and print its metrics")
    run.add_argument("scenario", help="a scenario file or the name of a shipped scenario")
    run.add_argument("--mode", choices=MODES, help="override the scenario's mode")
    run.add_argument("--seed", type=_seed, help="override the scenario's seed")
    run.add_argument("--until", type=_until_ms, metavar="MS",
                     help="stop at this simulated time (default: the scenario's duration)")
    run.add_argument("--json", action="store_true", help="print the metrics as JSON")
    run.add_argument("--trace", metavar="FILE.jsonl", help="stream the trace to this file")
    run.add_argument("--pcap", metavar="FILE.pcap|FILE.pcapng",
                     help="write every transmission to a capture: .pcap (one capture point) "
                     "or .pcapng (one interface per link, node names resolved)")
    sub.add_parser("scenarios", help="list the shipped scenarios")
    _add_export(sub)
    _add_plot(sub)
    _add_serve(sub)
    from pmipviz.sweep.args import add_parser as add_sweep

    add_sweep(sub, _until_ms)
    return parser


def _add_export(sub: argparse._SubParsersAction[_Parser]) -> None:
    from pmipviz.export.render import FORMATS

    export = sub.add_parser("export", help="export views of a run (the ladder diagram)")
    what = export.add_subparsers(dest="what", parser_class=_Parser, required=True,
                                 metavar="{ladder}")
    ladder = what.add_parser("ladder", help="one MN's ladder as text, Mermaid, PlantUML or SVG")
    ladder.add_argument("scenario", help="a scenario file or the name of a shipped scenario")
    ladder.add_argument("--mode", choices=MODES, help="override the scenario's mode")
    ladder.add_argument("--until", type=_until_ms, metavar="MS",
                        help="stop at this simulated time (default: the scenario's duration)")
    ladder.add_argument("--mn", metavar="MN_ID", help="the mobile node to follow "
                        "(default: the scenario's first)")
    ladder.add_argument("--format", choices=FORMATS, default="text",
                        help="the output format (default: text)")
    ladder.add_argument("--ascii", action="store_true",
                        help="pure ASCII instead of box drawing (text format only)")
    ladder.add_argument("--from", dest="from_ms", type=_non_negative_float, default=0.0,
                        metavar="MS", help="leave out the rows before this time (default: 0)")
    ladder.add_argument("--theme", choices=("dark", "light"),
                        help="colours of --format svg and plantuml (and Mermaid's theme): "
                        "dark (default) or light, for projectors and print")
    ladder.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")


def _add_plot(sub: argparse._SubParsersAction[_Parser]) -> None:
    plot = sub.add_parser("plot", help="draw a run's deliveries or cache occupancy as a "
                          "figure (SVG, PNG or PDF)")
    plot.add_argument("scenario", help="a scenario file or the name of a shipped scenario")
    plot.add_argument("--kind", choices=("delivery", "occupancy"), default="delivery",
                      help="packet numbers against time, or each MAG's cache over time "
                      "(default: delivery)")
    plot.add_argument("--mode", choices=(*MODES, "both"),
                      help="the scenario's mode, or both as two panels (default: the "
                      "scenario's)")
    plot.add_argument("--mn", metavar="MN_ID", help="the mobile node whose flows are drawn "
                      "(default: the first MN with a flow)")
    plot.add_argument("--from", dest="from_ms", type=_non_negative_float, default=0.0,
                      metavar="MS", help="start of the time axis (default: 0)")
    plot.add_argument("--until", type=_until_ms, metavar="MS",
                      help="end of the time axis and of the run (default: the scenario's "
                      "duration)")
    plot.add_argument("-o", "--output", metavar="FILE", required=True,
                      help="the figure; its extension (.svg, .png, .pdf) gives the format")


def _add_serve(sub: argparse._SubParsersAction[_Parser]) -> None:
    from pmipviz.serve.limits import DEFAULT_MAX_SESSIONS, MAX_SESSIONS_LIMIT

    serve = sub.add_parser("serve", help="serve the TUI to web browsers (textual-serve)")
    serve.add_argument("scenario", nargs="?", default="figure1",
                       help="a scenario file or the name of a shipped scenario")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default: 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=_port, default=8000, help="the port (default: 8000)")
    serve.add_argument("--theme", choices=THEMES, default="dark",
                       help="the TUI's colours in every tab: dark (default) or light")
    serve.add_argument("--public-url", metavar="URL",
                       help="the URL browsers use to reach the server "
                       "(default: http://HOST:PORT)")

    def max_sessions(text: str) -> int:
        if not text.isdigit() or not 1 <= int(text) <= MAX_SESSIONS_LIMIT:
            raise argparse.ArgumentTypeError(
                f"expected a number of sessions in 1..{MAX_SESSIONS_LIMIT}, got {text!r}")
        return int(text)

    serve.add_argument("--max-sessions", type=max_sessions, metavar="N",
                       default=DEFAULT_MAX_SESSIONS,
                       help=f"apps (browser tabs) at once (default: {DEFAULT_MAX_SESSIONS})")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in SUBCOMMANDS and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "tui")
    try:
        args = build_parser().parse_args(args_list)
        if args.command == "scenarios":
            return _cmd_scenarios()
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "export":
            return _cmd_export_ladder(args)
        if args.command == "plot":
            return _cmd_plot(args)
        if args.command == "serve":
            return _cmd_serve(args)
        if args.command == "sweep":
            return _cmd_sweep(args)
        return _cmd_tui(args)
    except (BadInput, ScenarioError) as err:
        print(f"pmipviz: {err}" if isinstance(err, ScenarioError) else str(err),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C: outputs were discarded on the way out (pmipviz.outputs); no traceback
        print("pmipviz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`pmipviz run ... | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except UnicodeEncodeError as err:
        print(f"pmipviz: the output's encoding ({err.encoding}) cannot show it: "
              "set PYTHONIOENCODING=utf-8", file=sys.stderr)
        return 2
    except OSError as err:
        # an output file's errors carry its name (pmipviz.outputs); else it is stdout
        where = err.filename if err.filename else "stdout"
        print(f"pmipviz: {where}: cannot write: {err.strerror or err}", file=sys.stderr)
        return 2


def _cmd_scenarios() -> int:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table("name", "title", box=None, header_style="bold")
    for name, title in shipped_scenarios():
        table.add_row(Text(name), Text(title))  # data, never markup
    Console().print(table)
    return 0


def _cmd_tui(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    if args.report is not None and not args.lesson:
        raise BadInput("pmipviz: --report needs --lesson (it saves the lesson's answers)")
    _refuse_overlaps(scenario, [("--report", args.report)])
    if "TEXTUAL_DRIVER" not in os.environ and not sys.stdin.isatty():
        # Textual's terminal driver reads keys from stdin: without a terminal there it
        # would draw and wait forever (textual-serve and tests name their driver)
        raise BadInput("pmipviz: the TUI needs a terminal on stdin; for a run without "
                       "one use `pmipviz run SCENARIO` or `pmipviz serve`")
    from pmipviz.ui.app import PmipvizApp

    app = PmipvizApp(scenario, mode=args.mode, lesson=args.lesson, theme=args.theme)
    with sigterm_as_exit(), OutputSet() as outputs:
        # opened (a temporary file) before the TUI starts: a path that cannot be written
        # is refused at once, not after the lesson
        report = None if args.report is None else _open(args.report, outputs.open_text)
        crashed: Exception | None = None
        try:
            app.run()
        except Exception as err:  # raised out of Textual itself: the traceback, our line
            import traceback

            traceback.print_exc()
            crashed = err
        if report is not None:  # the answers given are kept, even if the TUI crashed
            json.dump(app.lesson_report(), report, indent=2, ensure_ascii=False)
            report.write("\n")
            print(f"pmipviz: lesson results in {args.report}", file=sys.stderr)
    if crashed is not None:
        return _tui_crashed(crashed)
    if app.return_code:  # Textual caught an exception (and printed its traceback)
        return _tui_crashed(app._exception, app.return_code)
    return 0


def _tui_crashed(err: BaseException | None, code: int = 1) -> int:
    """One line on stderr for a TUI that ended with an exception (a bug): exit 1."""
    if err is None:
        what = f"the TUI exited with code {code}"
    else:
        detail = " ".join(str(err).split())[:200]
        what = f"the TUI stopped on {type(err).__name__}" + (f": {detail}" if detail else "")
    print(f"pmipviz: internal error: {what} (a bug; please report it)", file=sys.stderr)
    return 1


def _cmd_export_ladder(args: argparse.Namespace) -> int:
    from pmipviz.export.diagram import build_ladder
    from pmipviz.export.render import render

    if args.ascii and args.format != "text":
        raise BadInput("pmipviz export ladder: --ascii applies to --format text only")
    if args.theme is not None and args.format == "text":
        raise BadInput("pmipviz export ladder: --theme applies to --format svg, plantuml "
                       "and mermaid only")
    scenario = _load(args.scenario, args.until)
    _refuse_overlaps(scenario, [("-o", args.output)])
    with sigterm_as_exit(), OutputSet() as outputs:
        stream = None if args.output is None else _open(args.output, outputs.open_text)
        try:
            diagram = build_ladder(scenario, mode=args.mode, until_ms=args.until,
                                   focus_mn=args.mn, from_ms=args.from_ms)
        except ValueError as err:
            raise BadInput(f"pmipviz: {args.scenario}: {err}") from None
        out = render(diagram, args.format, ascii_only=args.ascii, theme=args.theme)
        if stream is not None:
            stream.write(out)
            return 0
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except UnicodeEncodeError:
        raise BadInput(f"pmipviz: stdout ({sys.stdout.encoding}) cannot show this ladder: "
                       "use --ascii or -o FILE") from None
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from pmipviz.export.plot_command import PlotError, plot

    scenario = _load(args.scenario, args.until)
    _refuse_overlaps(scenario, [("-o", args.output)])
    with sigterm_as_exit(), OutputSet() as outputs:
        try:
            plot(scenario, kind=args.kind, mode=args.mode, mn=args.mn, from_ms=args.from_ms,
                 until_ms=args.until, output=args.output,
                 open_output=lambda path: _open(path, outputs.open_binary))
        except PlotError as err:
            raise BadInput(f"pmipviz plot: {err}") from None
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from pmipviz.serve import ServeError, serve

    scenario = load_scenario(args.scenario)
    try:
        return serve(args.scenario, scenario, host=args.host, port=args.port,
                     public_url=args.public_url, max_sessions=args.max_sessions,
                     theme=args.theme)
    except ServeError as err:
        raise BadInput(f"pmipviz: {err}") from None


def _cmd_sweep(args: argparse.Namespace) -> int:
    from pmipviz.sweep import SweepError
    from pmipviz.sweep.command import main as sweep

    try:
        return sweep(args)
    except SweepError as err:
        raise BadInput(f"pmipviz sweep: {err}") from None


def _refuse_overlaps(scenario: Scenario, outputs: list[tuple[str, str | None]]) -> None:
    """Bad input if an output is the scenario file or another output (nothing runs)."""
    given = [(option, path) for option, path in outputs if path is not None]
    inputs = {} if scenario.path is None else {"the scenario file": scenario.path}
    try:
        refuse_overlaps(given, inputs)
    except OutputError as err:
        raise BadInput(f"pmipviz: {err}") from None


def _open(path: str, opener: Callable[[str], _Stream]) -> _Stream:
    """An output opened by ``opener`` (an :class:`OutputSet`'s, so a temporary file until
    the run succeeds); a path that cannot be written is bad input."""
    try:
        return opener(path)
    except OSError as err:
        raise BadInput(f"pmipviz: {path}: cannot write: {err.strerror or err}") from None


def _cmd_run(args: argparse.Namespace) -> int:
    from pmipviz.lesson.sentences import describe
    from pmipviz.sim.headless import run

    scenario = _load(args.scenario, args.until)
    _refuse_overlaps(scenario, [("--trace", args.trace), ("--pcap", args.pcap)])
    capture = None if args.pcap is None else _capture_format(args.pcap)
    # the outputs are renamed into place only if the whole run succeeds
    with sigterm_as_exit(), OutputSet() as outputs, ExitStack() as stack:
        sinks: list[Callable[[TraceEvent], None]] = []
        if args.trace:
            sinks.append(JsonlSink(_open(args.trace, outputs.open_text)))
        if args.pcap:
            sinks.append(_capture_sink(capture, _open(args.pcap, outputs.open_binary),
                                       scenario, args))
        progress = _progress(stack, scenario, args.until)
        metrics, _world = run(scenario, mode=args.mode, seed=args.seed, until_ms=args.until,
                              sinks=sinks, progress=progress, describe=describe)
    doc = metrics.to_dict()
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        _print_summary(doc, scenario)
    return 0


CAPTURE_FORMATS = {".pcap": "pcap", ".pcapng": "pcapng"}


def _capture_format(path: str) -> str:
    """``pcap`` or ``pcapng``, from the ``--pcap`` file's extension. A target that is not
    a regular file (``/dev/null``, a FIFO, ``/dev/stdout``) may have none: it gets pcap,
    as before pcapng existed. Any other extension, or none, is bad input."""
    ext = os.path.splitext(path)[1].lower()
    if ext in CAPTURE_FORMATS:
        return CAPTURE_FORMATS[ext]
    if not ext and (in_place(path) or (os.path.exists(path) and not os.path.isfile(path))):
        return "pcap"
    shown = f"extension {ext}" if ext else "no extension"
    raise BadInput(f"pmipviz: --pcap {path}: {shown}; use .pcap or .pcapng")


def _capture_sink(capture: str | None, stream: BinaryIO, scenario: Scenario,
                  args: argparse.Namespace) -> Callable[[TraceEvent], None]:
    """The ``--pcap`` sink: classic pcap, or pcapng with the scenario's links as its
    interfaces and its nodes' addresses named."""
    if capture == "pcapng":
        from pmipviz.scenario.capture import capture_comment, capture_hosts, capture_links
        from pmipviz.wire.pcapng import PcapngSink

        return PcapngSink(stream, links=capture_links(scenario), hosts=capture_hosts(scenario),
                          comment=capture_comment(scenario, args.mode, args.seed))
    from pmipviz.wire.pcap import PcapSink

    return PcapSink(stream)


def _progress(stack: ExitStack, scenario: Scenario,
              until: float | None) -> Callable[[float], None] | None:
    """A rich progress bar on stderr for long runs, when stderr is a terminal."""
    if not sys.stderr.isatty() or len(scenario.mns) < 20:
        return None
    from rich.console import Console
    from rich.progress import Progress

    end = scenario.duration_ms if until is None else until
    bar = stack.enter_context(Progress(console=Console(stderr=True), transient=True))
    task = bar.add_task("simulating", total=end)
    return lambda t: bar.update(task, completed=t)


def _print_summary(doc: dict[str, object], scenario: Scenario) -> None:
    """The metrics as tables. Names from the scenario file are data: every one goes
    through Text() or escape(), never through rich's markup parser."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    console = Console()
    console.print(f"[bold]{escape(scenario.title)}[/] · mode {doc['mode']} · "
                  f"seed {doc['seed']} · {doc['events']} events")
    table = Table("packets", "count", box=None, header_style="bold")
    for key in ("sent", "delivered", "lost", "queued", "reordered", "duplicated"):
        table.add_row(key, str(doc[key]))
    lost = doc["lost_by_reason"]
    assert isinstance(lost, dict)
    for reason, n in lost.items():
        table.add_row(f"  lost: {reason}", str(n))
    console.print(table)
    flows = doc["flows"]
    assert isinstance(flows, list)
    if flows:
        ft = Table("flow", "sent", "delivered", "lost", "reordered", "max gap ms", box=None,
                   header_style="bold")
        for f in flows:
            ft.add_row(Text(f"{f['from']} → {f['to']}"), str(f["sent"]), str(f["delivered"]),
                       str(f["lost"]), str(f["reordered"]), f"{f['max_gap_ms']:g}")
        console.print(ft)
    handovers = doc["handovers"]
    assert isinstance(handovers, list)
    if handovers:
        ht = Table("interface", "fault", "DeReg", "switch", "PBA", "new path", "interruption",
                   box=None, header_style="bold")

        def ms(v: object) -> str:
            return "-" if v is None else f"{v:g}"

        for h in handovers:
            ht.add_row(Text(h["interface"]), ms(h["fault_ms"]), ms(h["dereg_ms"]),
                       ms(h["switch_ms"]), ms(h["pba_ms"]), ms(h["first_new_path_ms"]),
                       ms(h["interruption_ms"]))
        console.print(ht)
    peaks = doc["buffer_peak"]
    assert isinstance(peaks, dict)
    console.print(Text("buffer peak: " + ", ".join(f"{k} {v}" for k, v in peaks.items())))
