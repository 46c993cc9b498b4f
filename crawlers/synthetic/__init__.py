"""A seeded generator of realistic synthetic Chinese citizen demands (the demo, the fixture site and
tests use it): ``generate(n, seed=..)`` and its vocabularies."""

from crawlers.synthetic.generator import generate, strip_truth
from crawlers.synthetic.people import fake_email, fake_id_card, fake_mobile, fake_plate, id_card_checksum
from crawlers.synthetic.vocabulary import DEFAULT_START, DEFAULT_WEEKS, EMERGING_DISTRICT, OPEN311_SERVICES

__all__ = ["generate", "strip_truth", "fake_email", "fake_id_card", "fake_mobile", "fake_plate", "id_card_checksum",
           "DEFAULT_START", "DEFAULT_WEEKS", "EMERGING_DISTRICT", "OPEN311_SERVICES"]
