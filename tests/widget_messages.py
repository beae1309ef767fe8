"""What the widget tests send as the front end would: edits and comm update messages."""

from __future__ import annotations


def edit_from_front_end(widget, **state):
    """What a comm message from the browser does: ipywidgets' set_state."""
    widget.set_state(state)


def update_message(widget, **state):
    """A page's update as the comm delivers it: ipywidgets' ``_handle_msg``."""
    content = {"data": {"method": "update", "state": state, "buffer_paths": []}}
    widget._handle_msg({"content": content, "buffers": []})
