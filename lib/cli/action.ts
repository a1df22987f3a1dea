// The three operations the command performs, named as the Python CLI's metadata `mode` names them.
export type Action = 'encrypt' | 'decrypt' | 'decrypt-unsigned'
