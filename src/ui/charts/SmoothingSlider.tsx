/** TensorBoard's smoothing slider: a range input from 0 (raw) to 0.99, with its value shown. */
import { useId } from 'react';

export interface SmoothingSliderProps {
  readonly value: number;
  readonly onChange: (value: number) => void;
}

/** The largest weight the slider offers (TensorBoard caps dragging at 0.99). */
export const SLIDER_MAX = 0.99;

export function SmoothingSlider({ value, onChange }: SmoothingSliderProps) {
  const id = useId();
  return (
    <div className="smoothing-slider" style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
      <label htmlFor={id}>Smoothing</label>
      <input
        id={id}
        type="range"
        aria-label="Smoothing"
        min={0}
        max={SLIDER_MAX}
        step={0.01}
        value={value}
        onChange={(event) => onChange(Number(event.currentTarget.value))}
      />
      <output htmlFor={id} style={{ fontVariantNumeric: 'tabular-nums', minWidth: '2.5em' }}>
        {value.toFixed(2)}
      </output>
    </div>
  );
}
