pub use burn_lr_schedule;
