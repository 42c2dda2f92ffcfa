"""Vote counting: ballot formats and counting rules, free of Django.

Modules: :mod:`.blt` and :mod:`.csvballots` (ballot files), :mod:`.scottish_stv`, :mod:`.ers97`,
:mod:`.meek`, :mod:`.irv`, :mod:`.approval`, :mod:`.yesno` (rules), :mod:`.result` (what every
count returns) and :mod:`.cli` (``rankandfile count``). Import the module you need; this package
imports nothing on its own so that numpy loads only for the rules that use it.
"""
