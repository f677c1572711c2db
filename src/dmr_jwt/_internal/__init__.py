"""What users of dmr-jwt never import: helpers private to the package.

Nothing here is part of the documented API; names and modules may change
in any release.
"""
