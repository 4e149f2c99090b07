"""Loyalty operator assistant: a Slack app that runs Coupontools loyalty programmes from chat."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("loyalty-bot")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0"
