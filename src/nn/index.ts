// torch.nn: filled in by the nn layer.
export {};
