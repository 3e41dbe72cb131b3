"""`python -m bot` is `faqbot`."""

from .cli import main

main()
