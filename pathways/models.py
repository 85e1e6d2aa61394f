"""The app's models, where Django loads them from; each is defined in the package it belongs to: the journey
(residents, pathways, stage changes), learning (modules, enrolments), placements (placements, check-ins) and privacy
(the access log)."""

from .journey.models import Pathway, Resident, StageChange
from .learning.models import Enrolment, Module
from .placements.models import CheckIn, Placement
from .privacy.models import AccessLogEntry

__all__ = ["AccessLogEntry", "CheckIn", "Enrolment", "Module", "Pathway", "Placement", "Resident", "StageChange"]
