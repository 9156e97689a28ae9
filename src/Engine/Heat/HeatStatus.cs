namespace ResidualSheaf.Engine.Heat;

/// <summary>Why a <see cref="HeatSolver"/> run stopped.</summary>
public enum HeatStatus
{
    /// <summary>A stop criterion was met (StopDistance, StopForce, the Euler stop rule, or the exact limit reached).</summary>
    Converged,
    /// <summary>The end time was reached first.</summary>
    EndTimeReached,
    /// <summary>The observer returned false.</summary>
    StoppedByObserver,
    /// <summary>MaxSteps step attempts (ODE) or Euler steps were used up.</summary>
    StepLimit,
    /// <summary>The adaptive step size fell below the resolution of t.</summary>
    StepSizeUnderflow,
    /// <summary>A NaN or infinity appeared in the state or the force; the final state is the last finite one.</summary>
    NonFiniteState,
    /// <summary>More than MaxEvents switching events (chattering or Zeno behaviour).</summary>
    EventLimit,
    /// <summary>The cancellation token was signalled.</summary>
    Interrupted,
    /// <summary>A solver inside the method failed (Krylov: eigen-solver of the projected matrix or conjugate gradients).</summary>
    NumericalFailure,
}
