using System.Globalization;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Training;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// <c>train-stability [betaN] [steps] [checkpoints] [weightsSeed] [stalkSeed]</c>: the Euler stability margin of the paper's Fig. 3 run
/// (paraboloid [2, 30, 1], 300 samples, dt 0.005, α 1, β = betaN / 300, library weights and random stalks): at checkpoints along
/// the run, the spectral radius ρ of the joint Jacobian by power iteration on central-difference Jacobian-vector products (the
/// masks do not flip at ε ≈ 1e−9), of the whole flow and of its parameter block alone; forward Euler on a linear flow with real
/// eigenvalues is stable while dt·ρ ≤ 2.
/// </summary>
public static class TrainStabilityReport
{
    /// <summary>Runs the report.</summary>
    public static void Run(string[] args)
    {
        double betaN = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        int steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        int checkpoints = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        long weightsSeed = args.Length > 3 ? long.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        long stalkSeed = args.Length > 4 ? long.Parse(args[4], CultureInfo.InvariantCulture) : 42;
        const int samples = 300;
        const double dt = 0.005;
        var data = ReferenceDatasets.Generate("paraboloid", samples, 100, 42);
        var net = TorchReference.NeuralSheafDefault(ArchitectureSpec.Mlp(2, 30, 1), weightsSeed);
        using var flow = TrainingSheaf.Create(net, SkipConstruction.Junction, data.TrainInputs, data.TrainTargets, 1.0, betaN / samples);
        var state = new double[flow.StateLength];
        flow.InitialParameters().CopyTo(state, flow.ParameterOffset);
        RandomStalks.Draw(flow, state, stalkSeed);
        flow.ApplyPins(state);
        var euler = new EulerTraining(flow, dt);
        var prediction = new double[data.TrainTargets.Length];
        Console.WriteLine($"β·n = {betaN}, β = {betaN / samples:g6}, dt = {dt}, {steps} Euler steps; weights seed {weightsSeed}, stalks seed {stalkSeed}");
        Console.WriteLine("step,train_mse,rho,dt_rho,rho_theta,dt_rho_theta,max_abs_state");
        for (int k = 0; k <= steps; k++)
        {
            if (k % (steps / checkpoints) == 0)
            {
                flow.Predict(state.AsSpan(flow.ParameterOffset), data.TrainInputs, prediction, new double[flow.StalkDimension]);
                double mse = TrainingLoss.Of(prediction, data.TrainTargets, 1, false);
                double rho = SpectralRadius(flow, state, false), rhoTheta = SpectralRadius(flow, state, true);
                double big = state.Max(Math.Abs);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{k},{mse:g6},{rho:g6},{dt * rho:g4},{rhoTheta:g6},{dt * rhoTheta:g4},{big:g4}"));
                if (!double.IsFinite(mse)) return;
            }
            if (k < steps) euler.Step(state);
        }
    }

    // Power iteration on v ↦ J v (central differences); with thetaOnly, on the parameter block of J (v and Jv restricted to θ).
    private static double SpectralRadius(JointFlow flow, double[] state, bool thetaOnly)
    {
        int n = flow.StateLength, p0 = flow.ParameterOffset;
        var rng = new Random(1);
        var v = new double[n];
        var plus = new double[n];
        var minus = new double[n];
        var y = new double[n];
        for (int i = thetaOnly ? p0 : 0; i < n; i++) v[i] = rng.NextDouble() - 0.5;
        double rho = 0;
        for (int it = 0; it < 300; it++)
        {
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < n; i++) v[i] /= norm;
            double scale = Math.Sqrt(state.Sum(x => x * x));
            double eps = 1e-9 * Math.Max(1, scale);
            for (int i = 0; i < n; i++) y[i] = state[i] + eps * v[i];
            flow.Derivative(y, plus);
            for (int i = 0; i < n; i++) y[i] = state[i] - eps * v[i];
            flow.Derivative(y, minus);
            for (int i = 0; i < n; i++) v[i] = thetaOnly && i < p0 ? 0 : (plus[i] - minus[i]) / (2 * eps);
            double next = Math.Sqrt(v.Sum(x => x * x));
            if (Math.Abs(next - rho) < 1e-6 * next && it > 20) return next;
            rho = next;
        }
        return rho;
    }
}
