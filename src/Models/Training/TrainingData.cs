namespace ResidualSheaf.Models.Training;

/// <summary>
/// A training set and a test set, samples as rows (row-major: sample s occupies <c>[s·width, (s+1)·width)</c>).
/// </summary>
/// <param name="InputWidth">n0.</param>
/// <param name="OutputWidth">Target width.</param>
/// <param name="TrainInputs">Training inputs.</param>
/// <param name="TrainTargets">Training targets.</param>
/// <param name="TestInputs">Test inputs (possibly empty).</param>
/// <param name="TestTargets">Test targets (possibly empty).</param>
public sealed record TrainingData(int InputWidth, int OutputWidth, double[] TrainInputs, double[] TrainTargets, double[] TestInputs, double[] TestTargets)
{
    /// <summary>Number of training samples.</summary>
    public int TrainCount => TrainInputs.Length / InputWidth;

    /// <summary>Number of test samples.</summary>
    public int TestCount => TestInputs.Length / InputWidth;

    /// <summary>The first <paramref name="trainCount"/> rows train, the rest test (the reference library's split).</summary>
    public static TrainingData Split(int inputWidth, int outputWidth, double[] inputs, double[] targets, int trainCount)
    {
        int n = inputs.Length / inputWidth;
        if (trainCount < 1 || trainCount > n) throw new ArgumentOutOfRangeException(nameof(trainCount), $"{trainCount} training rows of {n}");
        return new TrainingData(inputWidth, outputWidth, inputs[..(trainCount * inputWidth)], targets[..(trainCount * outputWidth)],
            inputs[(trainCount * inputWidth)..], targets[(trainCount * outputWidth)..]);
    }
}
