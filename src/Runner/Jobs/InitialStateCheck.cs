using System.Globalization;
using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// Refuses a heat run whose initial Dirichlet energy is not a finite double (e.g. an initial scale of 1e200): its energy
/// trace could only be ∞ or NaN, and every energy check on it would be meaningless.
/// </summary>
public static class InitialStateCheck
{
    /// <summary>Throws a <see cref="ConfigException"/> naming the field that made E(0) non-finite.</summary>
    public static void Validate(RunConfig cfg, HeatSetup setup)
    {
        double e = setup.Equation.Energy(setup.Initial);
        if (double.IsFinite(e)) return;
        var h = cfg.Heat!;
        double initial = setup.Initial.Length == 0 ? 0 : setup.Initial.Max(Math.Abs);
        double input = setup.Input.Length == 0 ? 0 : setup.Input.Max(Math.Abs);
        string field = initial >= input
            ? h.Initial.Kind switch { "values" => "heat.initial.values", "normal" => "heat.initial.scale", _ => "heat.initial" }
            : h.Input is not null ? "heat.input" : "inputs.scale";
        throw new ConfigException(field, $"the initial Dirichlet energy E(0) = ½‖δ_Ω c − b̃‖² is {e.ToString(CultureInfo.InvariantCulture)}, not a finite " +
            $"number (initial cochain up to {initial.ToString("G3", CultureInfo.InvariantCulture)} in absolute value, input up to " +
            $"{input.ToString("G3", CultureInfo.InvariantCulture)}): use a smaller scale");
    }
}
