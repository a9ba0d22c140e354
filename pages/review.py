"""Review: queue, conversation beside its guideline, edit, scores, verdict (see pages/_review_screen.py)."""
from pages._review_screen import main

main()
