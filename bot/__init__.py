"""Clinic FAQ chatbot: answers patients' questions with cited passages of the clinic's documents."""

__version__ = "0.1.0"
