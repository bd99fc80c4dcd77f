"""`python -m pmipviz`."""

from pmipviz.cli import main

raise SystemExit(main())
