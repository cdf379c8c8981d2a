"""Teaching the engine: the labelling queue, the adapted model, the person's vocabulary, suspicious drivers.

* :mod:`.queue` chooses the posts worth a person's click;
* :mod:`.model` fits the adapted model and estimates, honestly, whether it beats the engine;
* :mod:`.vocabulary` lets the person mark names and give words a polarity or emotion;
* :mod:`.drivers` finds terms that are probably names or jargon;
* :mod:`.taught` is what was taught (labels + vocabulary), portable as a file;
* :mod:`.engine` registers the adapted engine in the same registry as the built-ins;
* :mod:`.simulate` is ``evaluate --learn``.
"""

from __future__ import annotations
