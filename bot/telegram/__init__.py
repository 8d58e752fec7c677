"""The Telegram shell: python-telegram-bot handlers over the answer engine."""
