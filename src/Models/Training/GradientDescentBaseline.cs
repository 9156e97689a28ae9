using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace ResidualSheaf.Models.Training;

/// <summary>One logged point of a training run: step, forward-pass train and test losses.</summary>
/// <param name="Step">Steps taken.</param>
/// <param name="TrainLoss">Loss of the forward pass on the training set.</param>
/// <param name="TestLoss">On the test set (NaN without one).</param>
public readonly record struct LossPoint(int Step, double TrainLoss, double TestLoss);

/// <summary>
/// The paper's baseline (the reference library's <c>TraditionalNN.train</c>): full-batch gradient descent by TorchSharp autograd on
/// the same module and initial weights, loss MSE (identity head) or clamped cross-entropy (sigmoid, softmax) as losses.py,
/// W ← W − lr ∂loss/∂W every step.
/// </summary>
public static class GradientDescentBaseline
{
    /// <summary>Runs <paramref name="steps"/> steps, reporting the losses at step 0 and every <paramref name="logEvery"/> steps.</summary>
    public static INetwork Run(INetwork network, TrainingData data, bool crossEntropy, double learningRate, int steps, int logEvery,
        Action<LossPoint> log, CancellationToken cancel = default)
    {
        using var module = TorchReference.Create(network);
        var parameters = module.NamedParameters();
        foreach (var (_, p) in parameters) p.requires_grad_(true);
        using var xTrain = tensor(data.TrainInputs, [data.TrainCount, data.InputWidth], ScalarType.Float64);
        using var yTrain = tensor(data.TrainTargets, [data.TrainCount, data.OutputWidth], ScalarType.Float64);
        using var xTest = tensor(data.TestInputs, [data.TestCount, data.InputWidth], ScalarType.Float64);
        using var yTest = tensor(data.TestTargets, [data.TestCount, data.OutputWidth], ScalarType.Float64);
        // Explicit long-lived scalars: implicit ones have been finalised during native calls in long TorchSharp loops.
        using var lr = learningRate.ToScalar();
        using var eps = 1e-12.ToScalar();
        using var oneMinusEps = (1.0 - 1e-12).ToScalar();
        using var one = 1.0.ToScalar();
        double Loss(Tensor x, Tensor y)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            return data.TestCount == 0 && ReferenceEquals(x, xTest) ? double.NaN : LossOf(module.ForwardBatch(x), y).item<double>();
        }
        Tensor LossOf(Tensor prediction, Tensor y)
        {
            if (!crossEntropy) return (prediction - y).square().mean();
            var p = prediction.clamp(eps, oneMinusEps);
            var perSample = data.OutputWidth == 1
                ? -(y * p.log() + (one - y) * (one - p).log()).sum(1)
                : -(y * p.log()).sum(1);
            return perSample.mean();
        }
        log(new LossPoint(0, Loss(xTrain, yTrain), Loss(xTest, yTest)));
        for (int step = 1; step <= steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using (var scope = NewDisposeScope())
            {
                foreach (var (_, p) in parameters) p.grad?.zero_();
                LossOf(module.ForwardBatch(xTrain), yTrain).backward();
                using (no_grad())
                    foreach (var (_, p) in parameters) p.sub_(p.grad!.mul(lr));
            }
            if (step % logEvery == 0 || step == steps) log(new LossPoint(step, Loss(xTrain, yTrain), Loss(xTest, yTest)));
        }
        var arrays = parameters.ToDictionary(p => p.Name, p => new Weights.NamedArray(p.Parameter.shape, p.Parameter.detach().contiguous().data<double>().ToArray()));
        return Weights.WeightSet.FromArrays(ArchitectureSpec.Of(network), arrays, "gradient descent");
    }
}
