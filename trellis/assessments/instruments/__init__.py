"""Instruments: assessment forms (the built-in ones and each program's), their versions,
questions and prompts. "Form" in the models means an instrument; Django forms live in
`instruments.forms`."""
