"""The bot's core: readings -> passages -> index -> ask / cite / quote; discussion log; digests.

Pure Python. Nothing here imports discord or slack_bolt: adapters talk to `SeminarService`.
"""
