"""The ``metastudio`` command (``commands.py``) and its secrets check (``fernet_check.py``)."""
