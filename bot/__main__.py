"""`python -m bot` is `loyalty-bot`."""

import sys

from bot.cli import main

sys.exit(main())
