"""The DRF side of object permissions: guardian grants checked on single objects."""

from rest_framework import permissions


class ObjectPermissions(permissions.DjangoObjectPermissions):
    """Model and object permissions, reads included (an auditor needs `view_*`)."""

    perms_map = {
        **permissions.DjangoObjectPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
