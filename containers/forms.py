"""The run form: what a person types, turned into the data RunSpec checks."""

import re

from django import forms

from containers.run import RESTART_POLICIES

# [IP:]HOST:CONTAINER[/proto] or CONTAINER[/proto], as `docker run -p` takes them.
PORT_LINE = re.compile(
    r"^(?:(?P<binding>(?:[\d.]+:|\[[0-9a-fA-F:]+\]:)?\d{1,5}):)?(?P<container>\d{1,5})(?P<proto>/(tcp|udp|sctp))?$"
)


class RunForm(forms.Form):
    image = forms.CharField(max_length=255, help_text="e.g. nginx:1.27 or localhost:5000/team/app:1.0")
    name = forms.CharField(max_length=128, required=False, help_text="Leave empty for a random name.")
    command = forms.CharField(
        max_length=2000, required=False, help_text="Leave empty for the image's own command."
    )
    interactive = forms.BooleanField(
        required=False,
        label="Interactive with a terminal (-it)",
        help_text="Keeps STDIN open and gives it a TTY.",
    )
    detach = forms.BooleanField(
        required=False,
        label="Detached (-d)",
        help_text="With -it: leave it in the background instead of opening its terminal.",
    )
    env = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "KEY=value, one per line"}),
        required=False,
        label="Environment",
    )
    ports = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "8080:80, one per line"}),
        required=False,
        help_text="HOST:CONTAINER[/udp], or only CONTAINER for a random host port.",
    )
    labels = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "key=value, one per line"}),
        required=False,
    )
    restart_policy = forms.ChoiceField(choices=[(p, p) for p in RESTART_POLICIES], initial="no")

    def clean_env(self):
        return [line.strip() for line in self.cleaned_data["env"].splitlines() if line.strip()]

    def clean_labels(self):
        labels = {}
        for line in self.cleaned_data["labels"].splitlines():
            if not line.strip():
                continue
            key, sep, value = line.strip().partition("=")
            if not key.strip():
                raise forms.ValidationError(f"{line!r} is not a label; write key=value.")
            labels[key.strip()] = value.strip()
        return labels

    def clean_ports(self):
        ports = {}
        for line in self.cleaned_data["ports"].replace(",", "\n").splitlines():
            line = line.strip()
            if not line:
                continue
            match = PORT_LINE.match(line)
            if not match:
                raise forms.ValidationError(
                    f"{line!r} is not a port mapping; write HOST:CONTAINER like 8080:80."
                )
            container_port = match["container"] + (match["proto"] or "/tcp")
            binding = match["binding"]
            ports[container_port] = int(binding) if binding and binding.isdigit() else binding
        return ports

    def as_run_data(self) -> dict:
        data = dict(self.cleaned_data)
        interactive = data.pop("interactive")
        data.pop("detach")
        data["tty"] = data["stdin_open"] = interactive
        return data

    def opens_terminal(self) -> bool:
        """`docker run -it` without -d: the user lands in the container's terminal."""
        return self.cleaned_data["interactive"] and not self.cleaned_data["detach"]
