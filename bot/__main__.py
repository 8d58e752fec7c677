"""`python -m bot` runs the budgetbot command."""
import sys

from .cli import main

sys.exit(main())
