r"""From FLOPs to energy to carbon: two unit conversions, with their units.

Strubell et al. (2019) estimate the footprint of training a model as the
energy the hardware draws, scaled up by the data centre's power usage
effectiveness (PUE: total facility power over IT power; they take 1.58),
times the carbon intensity of the electricity grid:

.. math::

    E\,[\mathrm{kWh}] = \frac{\mathrm{FLOPs}}{\eta\,[\mathrm{FLOP/J}]}
    \cdot \mathrm{PUE} \cdot \frac{1\ \mathrm{kWh}}{3.6 \times 10^6\
    \mathrm{J}}, \qquad
    m_{\mathrm{CO_2e}}\,[\mathrm{kg}] = E\,[\mathrm{kWh}] \cdot
    I\,[\mathrm{kg\ CO_2e / kWh}].

Here :math:`\eta` is the *achieved* efficiency (sustained FLOP/s over power
drawn), usually well below the peak on a data sheet, and :math:`I` depends on
the grid and the hour: Strubell et al. use the U.S. average of 0.954 lb/kWh
(0.433 kg/kWh); hydro-heavy grids are near 0.02, coal-heavy ones near 0.9.
These are estimates of orders of magnitude, not measurements.

References
----------
Strubell, Ganesh & McCallum (2019), "Energy and policy considerations for
deep learning in NLP", ACL, sec. 2. arXiv:1906.02243.
"""

from __future__ import annotations

from slmsurvey._checks import check_real

__all__ = ["JOULES_PER_KWH", "co2_kg", "energy_kwh"]

JOULES_PER_KWH = 3.6e6  # 1 kWh = 1000 W x 3600 s


def energy_kwh(flops: float, *, flops_per_joule: float, pue: float = 1.0) -> float:
    r"""Energy in kilowatt-hours to perform ``flops`` floating-point operations.

    .. math::

        E = \frac{\mathrm{FLOPs}}{\eta} \cdot \mathrm{PUE} \,/\,
        (3.6 \times 10^6\ \mathrm{J/kWh})

    Parameters
    ----------
    flops : float
        Number of floating-point operations, at least 0 (e.g. from
        :func:`~slmsurvey.efficiency.count_flops` times the number of
        forward passes, times about 3 for training with backward passes).
    flops_per_joule : float, keyword-only
        Achieved efficiency :math:`\eta > 0` in FLOP/J, i.e. FLOP/s per watt.
    pue : float, keyword-only
        Power usage effectiveness, at least 1 (1 counts the chips alone;
        Strubell et al. use 1.58).

    Returns
    -------
    float
        Energy in kWh.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If ``flops < 0``, ``flops_per_joule <= 0``, ``pue < 1``, or a value
        is not finite.

    References
    ----------
    Strubell et al. (2019), eq. (1). arXiv:1906.02243.

    Examples
    --------
    >>> energy_kwh(3.6e18, flops_per_joule=1e12)  # 3.6e6 J
    1.0
    >>> energy_kwh(3.6e18, flops_per_joule=1e12, pue=1.58)
    1.58
    """
    flops = check_real(flops, "flops", low=0.0)
    eta = check_real(flops_per_joule, "flops_per_joule", low=0.0, open_low=True)
    pue = check_real(pue, "pue", low=1.0)
    joules = flops / eta * pue
    return joules / JOULES_PER_KWH


def co2_kg(kwh: float, *, grid_intensity: float) -> float:
    r"""Kilograms of CO2-equivalent emitted to supply ``kwh`` of electricity.

    .. math:: m_{\mathrm{CO_2e}} = E \cdot I

    Parameters
    ----------
    kwh : float
        Energy :math:`E` in kWh, at least 0.
    grid_intensity : float, keyword-only
        Carbon intensity :math:`I` of the grid in kg CO2e per kWh, at least 0
        (U.S. average in Strubell et al.: 0.954 lb/kWh = 0.433 kg/kWh).

    Returns
    -------
    float
        Mass in kg CO2e.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If ``kwh < 0`` or ``grid_intensity < 0``, or a value is not finite.

    References
    ----------
    Strubell et al. (2019), sec. 2 and table 1. arXiv:1906.02243.

    Examples
    --------
    >>> co2_kg(1000.0, grid_intensity=0.433)
    433.0
    >>> kwh = energy_kwh(1e21, flops_per_joule=2.5e11, pue=1.58)
    >>> round(kwh, 1), round(co2_kg(kwh, grid_intensity=0.433), 1)
    (1755.6, 760.2)
    """
    kwh = check_real(kwh, "kwh", low=0.0)
    intensity = check_real(grid_intensity, "grid_intensity", low=0.0)
    return kwh * intensity
