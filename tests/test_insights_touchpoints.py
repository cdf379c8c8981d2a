"""Touchpoint page: mood per channel, worst first, and the emotion mix."""

from __future__ import annotations

import pytest

from ascolto_core.errors import AscoltoError
from ascolto_core.insights import emotion_mix, touchpoint_summary
from ascolto_core.insights.sample import mentions_frame


@pytest.fixture
def mentions():
    return mentions_frame(
        [
            dict(touchpoint="facebook", sentiment="negative", emotion="anger", likes=3),
            dict(touchpoint="facebook", sentiment="negative", emotion="anger"),
            dict(touchpoint="facebook", sentiment="positive", emotion="joy"),
            dict(touchpoint="facebook", sentiment="neutral", emotion="none"),
            dict(touchpoint="email", sentiment="positive", emotion="joy", comments=2),
            dict(touchpoint="email", sentiment="neutral", emotion="none"),
            dict(touchpoint=None, sentiment=None, emotion=None),  # unknown channel, unanalysed
        ]
    )


def test_touchpoint_summary_worst_first(mentions) -> None:
    assert touchpoint_summary(mentions).to_dicts() == [
        {
            "touchpoint": "facebook",
            "mentions": 4,
            "analysed": 4,
            "negative": 2,
            "positive": 1,
            "negative_share": 0.5,
            "positive_share": 0.25,
            "net_sentiment": -0.25,
            "dominant_emotion": "anger",
            "engagement": 3,
            "share_of_mentions": 4 / 7,
        },
        {
            "touchpoint": "email",
            "mentions": 2,
            "analysed": 2,
            "negative": 0,
            "positive": 1,
            "negative_share": 0.0,
            "positive_share": 0.5,
            "net_sentiment": 0.5,
            "dominant_emotion": "joy",
            "engagement": 2,
            "share_of_mentions": 2 / 7,
        },
        # nothing analysed: no mood, listed last
        {
            "touchpoint": "other",
            "mentions": 1,
            "analysed": 0,
            "negative": 0,
            "positive": 0,
            "negative_share": None,
            "positive_share": None,
            "net_sentiment": None,
            "dominant_emotion": None,
            "engagement": 0,
            "share_of_mentions": 1 / 7,
        },
    ]


def test_emotion_mix_is_a_complete_tidy_grid(mentions) -> None:
    mix = emotion_mix(mentions.filter(mentions["touchpoint"] == "email"), by="touchpoint")
    assert mix.to_dicts() == [
        {"group": "email", "emotion": "joy", "mentions": 1, "share": 0.5},
        {"group": "email", "emotion": "anger", "mentions": 0, "share": 0.0},
        {"group": "email", "emotion": "fear", "mentions": 0, "share": 0.0},
        {"group": "email", "emotion": "sadness", "mentions": 0, "share": 0.0},
        {"group": "email", "emotion": "none", "mentions": 1, "share": 0.5},
    ]


def test_emotion_mix_keeps_unknown_labels_and_groups_by_sentiment() -> None:
    frame = mentions_frame(
        [dict(sentiment="negative", emotion="disgust"), dict(sentiment="negative", emotion="anger")]
    )
    mix = emotion_mix(frame, by="sentiment")
    # another engine's label is shown after the catalogue, not dropped
    assert mix.filter(mix["mentions"] > 0).to_dicts() == [
        {"group": "negative", "emotion": "anger", "mentions": 1, "share": 0.5},
        {"group": "negative", "emotion": "disgust", "mentions": 1, "share": 0.5},
    ]


def test_emotion_mix_rejects_unknown_grouping(mentions) -> None:
    with pytest.raises(AscoltoError) as err:
        emotion_mix(mentions, by="colour")
    assert err.value.key == "insights.bad_split"
