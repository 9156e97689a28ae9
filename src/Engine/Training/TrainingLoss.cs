namespace ResidualSheaf.Engine.Training;

/// <summary>
/// The reference library's logged losses of the forward pass (losses.py): MSE = mean of squares over every entry; cross-entropy
/// with predictions clamped to [1e−12, 1 − 1e−12], binary for one output, −Σ y log p per sample for several, averaged over samples.
/// </summary>
public static class TrainingLoss
{
    private const double Eps = 1e-12;

    /// <summary>The loss of predictions <paramref name="prediction"/> (φ already applied; samples × outputs, row-major).</summary>
    public static double Of(ReadOnlySpan<double> prediction, ReadOnlySpan<double> target, int outputs, bool crossEntropy)
    {
        if (prediction.Length != target.Length) throw new ArgumentException("prediction and target lengths differ");
        int samples = prediction.Length / outputs;
        double sum = 0;
        if (!crossEntropy)
        {
            for (int i = 0; i < prediction.Length; i++)
            {
                double d = prediction[i] - target[i];
                sum += d * d;
            }
            return sum / prediction.Length;
        }
        for (int i = 0; i < prediction.Length; i++)
        {
            double p = Math.Clamp(prediction[i], Eps, 1.0 - Eps), y = target[i];
            sum -= outputs == 1 ? y * Math.Log(p) + (1.0 - y) * Math.Log(1.0 - p) : y * Math.Log(p);
        }
        return sum / samples;
    }
}
