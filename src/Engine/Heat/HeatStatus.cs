namespace ResidualSheaf.Engine.Heat;

/// <summary>Why a <see cref="HeatSolver"/> run stopped.</summary>
public enum HeatStatus
{
    /// <summary>A state stop rule was met (distance, force), the Euler change rule, or the exact limit was reached; see <see cref="HeatSolution.Reason"/>.</summary>
    Converged,
    /// <summary>The end time was reached first.</summary>
    EndTimeReached,
    /// <summary>
    /// A history stop rule (<see cref="StopRule.IsStateFunction"/> false, e.g. <see cref="PlateauStop"/>) ended the run away from
    /// the expected limit; <see cref="HeatSolution.Reason"/> names the rule.
    /// </summary>
    StoppedByRule,
    /// <summary><see cref="HeatProblem.MaxSteps"/> step attempts (ODE) or Euler steps were used up.</summary>
    StepLimit,
    /// <summary>The adaptive step size fell below the resolution of t.</summary>
    StepSizeUnderflow,
    /// <summary>A NaN or infinity appeared in the state or the force; the final state is the last finite one.</summary>
    NonFiniteState,
    /// <summary>More than <see cref="HeatProblem.MaxEvents"/> switching events (chattering or Zeno behaviour).</summary>
    EventLimit,
    /// <summary>The cancellation token was signalled.</summary>
    Interrupted,
    /// <summary>A solver inside the method failed (Krylov: eigen-solver of the projected matrix or conjugate gradients).</summary>
    NumericalFailure,
}
