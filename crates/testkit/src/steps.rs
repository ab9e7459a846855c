//! burn-train's training and validation steps for a model whose method
//! `$output(batch)` computes the loss and the predictions of a batch.

/// Implements `TrainStep` (backward on the loss) and `InferenceStep` for
/// `$model` over `$batch`, from its method `$output`.
#[macro_export]
macro_rules! steps {
    ($model:ty, $batch:ty, $output:ty, $method:ident) => {
        impl burn::train::TrainStep for $model {
            type Input = $batch;
            type Output = $output;

            fn step(&self, batch: $batch) -> burn::train::TrainOutput<$output> {
                let output = self.$method(batch);
                burn::train::TrainOutput::new(self, output.loss.backward(), output)
            }
        }

        impl burn::train::InferenceStep for $model {
            type Input = $batch;
            type Output = $output;

            fn step(&self, batch: $batch) -> $output {
                self.$method(batch)
            }
        }
    };
}
