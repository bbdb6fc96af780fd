"""Seminar Bot: answers seminar questions from the assigned readings."""

__version__ = "0.1.0"
