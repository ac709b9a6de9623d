"""``python -m slogen`` runs the CLI."""

from slogen.cli import main

raise SystemExit(main())
