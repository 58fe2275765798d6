// torch.optim: filled in by the optim layer.
export {};
