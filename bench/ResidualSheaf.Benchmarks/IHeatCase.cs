using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Benchmarks;

/// <summary>A heat problem of a report: the equation, its initial free cochain and its limit c* (on Ω).</summary>
public interface IHeatCase
{
    /// <summary>The pinned problem.</summary>
    DirichletProblem Problem { get; }

    /// <summary>The heat equation (α = 1).</summary>
    HeatEquation Equation { get; }

    /// <summary>c* restricted to Ω: the forward pass (forward substitution).</summary>
    double[] CStar { get; }

    /// <summary>The initial free cochain.</summary>
    double[] C0 { get; }

    /// <summary>‖c0 − c*‖∞.</summary>
    double InitialDistance { get; }

    /// <summary>‖c − c*‖∞.</summary>
    double Distance(ReadOnlySpan<double> c);

    /// <summary>‖c − c*‖∞ for implementations.</summary>
    static double MaxDistance(ReadOnlySpan<double> c, double[] cstar)
    {
        double m = 0;
        for (int i = 0; i < c.Length; i++) m = Math.Max(m, Math.Abs(c[i] - cstar[i]));
        return m;
    }
}
