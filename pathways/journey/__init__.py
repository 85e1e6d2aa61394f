"""The journey: residents, their pathways and the stage machine (`stages.py`) that moves a pathway from intake to
work, with each pathway's stage history."""
