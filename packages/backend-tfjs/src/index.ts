export const placeholder = 'backend-tfjs';
