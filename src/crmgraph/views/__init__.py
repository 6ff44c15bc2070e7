"""What the explorer draws (network, layout, page): shared by the portal and `crmgraph viz`."""
