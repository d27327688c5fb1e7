"""A stand-in for the `lightning` package, enough for `scripts/compare_training.py` to import disent's frameworks.

disent's frameworks subclass `lightning.LightningModule` (disent/nn/modules.py) only for the Lightning trainer,
which the comparison does not use: it calls a framework's `do_training_step` and steps a torch optimiser itself.
Here a LightningModule is a plain torch Module whose logging calls do nothing and which has no trainer.
"""
import torch


class LightningModule(torch.nn.Module):
    trainer = None

    def log(self, *args, **kwargs):
        pass

    def log_dict(self, *args, **kwargs):
        pass
